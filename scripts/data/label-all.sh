#!/bin/sh
# Labels the NaCl configuration sets with CP2K in the background, one after the other; safe to restart at any time
# (finished frames are reused from the work directories). Run from the repository root:
#   setsid nohup sh scripts/data/label-all.sh > /tmp/farfield-label.log 2>&1 &
# Work directories: ${FARFIELD_CP2K_WORK:-/tmp/farfield-cp2k}/<set>.
set -e
W=${FARFIELD_CP2K_WORK:-/tmp/farfield-cp2k}
NP=${FARFIELD_CP2K_NP:-2}
run() { node --import tsx scripts/data/label-nacl.ts "$1" "data/configs/$2-configs.xyz" "data/$2.xyz" "$W/$2" "$NP" 10; }
run gfn1-xtb nacl-liquid-xtb
run gfn1-xtb nacl-rocksalt-xtb
run pbe nacl-liquid-pbe
