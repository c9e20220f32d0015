#!/bin/sh
# Labels the NaCl configuration sets with CP2K in the background; safe to restart at any time (finished frames are
# reused from the work directories; a lock keeps two runs out of one directory). Three single-rank CP2K streams run
# side by side, niced: GFN1-xTB liquid, GFN1-xTB rock salt, PBE liquid (np 1 gives more frames per core-second than
# np 2 for 64-ion GFN1-xTB: 2.4 vs 3.8 core-s). Run from the repository root:
#   setsid nohup sh scripts/data/label-all.sh > /tmp/farfield-label.log 2>&1 &
# Work directories: ${FARFIELD_CP2K_WORK:-/tmp/farfield-cp2k}/<set>. Commit data/*.xyz as batches finish.
W=${FARFIELD_CP2K_WORK:-/tmp/farfield-cp2k}
NP=${FARFIELD_CP2K_NP:-1}
run() { node --import tsx scripts/data/label-nacl.ts "$1" "data/configs/$2-configs.xyz" "data/$2.xyz" "$W/$2" "$NP" 10 2>&1 | sed -u "s/^/[$2] /"; }
run gfn1-xtb nacl-liquid-xtb &
run gfn1-xtb nacl-rocksalt-xtb &
run pbe nacl-liquid-pbe &
wait
