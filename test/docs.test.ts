/**
 * The documentation's relative links resolve: every `[text](target)` in README.md, docs/**\/*.md and data/README.md
 * that is not an absolute URL points to an existing file, and a `#fragment` names a heading of the target (GitHub's
 * anchor rules: lower case, punctuation dropped, spaces → '-', repeated headings get -1, -2, …) or an explicit
 * `id`/`name`. Fenced code blocks and inline code are ignored. Dependency-free and fast (a few files, no network).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';

/** GitHub's heading anchor: rendered text, lower case, drop punctuation (keep letters, digits, '-', '_', spaces), spaces → '-'. */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images → their text
    .replace(/<[^>]+>/g, ''); // inline HTML tags
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Lines outside fenced code blocks, with their 1-based line numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, k) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(text);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line: k + 1, text });
  });
  return out;
}

/** Every anchor a Markdown file defines. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (h) {
      const base = headingSlug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** Relative links of a Markdown file: target path (may be empty) and fragment (may be empty). */
export function linksOf(markdown: string): { line: number; target: string; path: string; fragment: string }[] {
  const links: { line: number; target: string; path: string; fragment: string }[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:, …
      const hash = target.indexOf('#');
      const path = hash < 0 ? target : target.slice(0, hash);
      const fragment = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
      links.push({ line, target, path: decodeURIComponent(path), fragment });
    }
  }
  return links;
}

/** Broken links of the given Markdown files, as `file:line: target (reason)`. */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const l of linksOf(text)) {
      const where = `${relative(root, file)}:${l.line}: ${l.target}`;
      const dest = l.path === '' ? file : resolve(dirname(file), l.path);
      if (!existsSync(dest)) {
        bad.push(`${where} (no such file)`);
        continue;
      }
      if (l.fragment === '') continue;
      if (!dest.endsWith('.md') || statSync(dest).isDirectory()) continue; // anchors of non-Markdown targets are not checked
      if (!anchorsOf(readFileSync(dest, 'utf8')).has(l.fragment)) bad.push(`${where} (no heading '#${l.fragment}' in ${relative(root, dest)})`);
    }
  }
  return bad;
}

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...markdownUnder(p));
    else if (name.endsWith('.md')) out.push(p);
  }
  return out;
}

test('headingSlug follows GitHub: punctuation dropped, spaces to hyphens, unicode letters kept', () => {
  assert.equal(headingSlug('Short + long range (`sr+lr`, `sr+lode`): defaults and why'), 'short--long-range-srlr-srlode-defaults-and-why');
  assert.equal(headingSlug('Tetragonal ZrO₂, VASP PBEsol'), 'tetragonal-zro₂-vasp-pbesol');
  assert.equal(headingSlug('`farfield convert IN OUT [--from F]`'), 'farfield-convert-in-out---from-f');
  assert.equal(headingSlug('See [the data](data/README.md) here'), 'see-the-data-here');
});

test('the checker reports a missing file and a missing anchor, and ignores code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'farfield-docs-'));
  try {
    writeFileSync(join(dir, 'a.md'), '# A\n## Same\n## Same\n[ok](b.md#title) [ok2](#same-1) [web](https://example.org/x)\n');
    writeFileSync(join(dir, 'b.md'), '# Title\n```sh\n# not a heading\n[not a link](nowhere.md)\n```\n`[code](nowhere.md)`\n');
    writeFileSync(join(dir, 'c.md'), '[gone](missing.md) and [bad anchor](b.md#not-a-heading) and [code heading](b.md#not-a-heading-1)\n');
    assert.deepEqual(brokenLinks(dir, [join(dir, 'a.md'), join(dir, 'b.md')]), []);
    assert.deepEqual(brokenLinks(dir, [join(dir, 'c.md')]), [
      'c.md:1: missing.md (no such file)',
      "c.md:1: b.md#not-a-heading (no heading '#not-a-heading' in b.md)",
      "c.md:1: b.md#not-a-heading-1 (no heading '#not-a-heading-1' in b.md)",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('README.md, docs/ and data/README.md: every relative link resolves to a file and heading', () => {
  const files = [join(REPO_ROOT, 'README.md'), ...markdownUnder(join(REPO_ROOT, 'docs')), join(REPO_ROOT, 'data', 'README.md')].filter(existsSync);
  assert.ok(files.length >= 3, `expected README.md, docs/*.md, data/README.md under ${REPO_ROOT}`);
  assert.deepEqual(brokenLinks(REPO_ROOT, files), []);
});

test('README.md keeps the two install commands that CI and the guide run verbatim', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('npm ci && npx farfield demo'), 'README lost `npm ci && npx farfield demo`');
  assert.ok(readme.includes('npm ci && npm test'), 'README lost `npm ci && npm test`');
});
