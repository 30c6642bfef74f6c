#!/usr/bin/env bash
# Runs the SD-JWT benchmarks RUNS times (default 15) with every run measuring all four back to
# back, and prints the median ratio of each hashi operation to its raw crypto/ecdsa baseline.
# Interleaving keeps a noisy machine's drift out of the ratios. Usage: docs/benchratio.sh [RUNS] [CPU]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}; cpu=${2:-2}
bin=$(mktemp); trap 'rm -f "$bin"' EXIT
go test -c -o "$bin" ./internal/sdjwt
for _ in $(seq "$runs"); do
  "$bin" -test.run '^$' -test.bench 'VerifyPresentation|RawECDSAVerifyTwice|Issue$|RawECDSASign' \
    -test.benchtime 1s -test.cpu "$cpu" | awk '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); v[$1]=$3}
    END {printf "%.3f %.3f %.1f %.1f %.1f %.1f\n", v["BenchmarkVerifyPresentation"]/v["BenchmarkRawECDSAVerifyTwice"],
         v["BenchmarkIssue"]/v["BenchmarkRawECDSASign"], v["BenchmarkVerifyPresentation"]/1000,
         v["BenchmarkRawECDSAVerifyTwice"]/1000, v["BenchmarkIssue"]/1000, v["BenchmarkRawECDSASign"]/1000}'
done | sort -n | awk '{r1[NR]=$1; a[NR]=$0} END {
  n=NR; split("", r2); for (i=1;i<=n;i++) {split(a[i], f, " "); r2[i]=f[2]; vp[i]=f[3]; vr[i]=f[4]; is[i]=f[5]; sr[i]=f[6]}
  asort(r2); asort(vp); asort(vr); asort(is); asort(sr); m=int((n+1)/2)
  printf "runs %d, median µs/op: VerifyPresentation %.1f, RawECDSAVerifyTwice %.1f, Issue %.1f, RawECDSASign %.1f\n", n, vp[m], vr[m], is[m], sr[m]
  printf "median ratio verify/raw %.2fx (range %.2f-%.2f), issue/raw %.2fx (range %.2f-%.2f)\n", r1[m], r1[1], r1[n], r2[m], r2[1], r2[n] }'
