#!/usr/bin/env bash
# Compares brief with Hugo and with `cp -r` of the input on the same synthetic articles.
#
#   bench/compare.sh N [RUNS] [--dated]
#
# Generates N articles with ../shared/bench/gen_corpus.py (or $GEN_CORPUS), installs Hugo from
# Debian's packages if it is missing, builds brief in release mode, then runs, RUNS times each
# (default 5) and alternating so that machine noise hits all alike:
#   - brief cold:  `brief build` with no .brief-cache/
#   - brief warm:  `brief build` again with the cache and no change
#   - brief one:   one seed changed, then `brief build` with the cache
#   - brief serve: `brief serve` running, one seed changed: the rebuild's time as serve prints
#                  it (from the change seen to the new site in memory; no process start)
#   - hugo:        `hugo --quiet` on the same articles as Markdown
#   - cp:          `cp -r seeds/` (the floor: reading and writing the input once)
# and prints the median wall time and peak memory of each, and brief's ratios to Hugo and cp.
#
# The generated project gets a brief.toml with five regional topics whose keywords are the
# generator's cities and countries, so brief builds a real briefing (topic pages, per-topic
# summaries) rather than putting every paragraph on one "Other" page.
#
# The generator writes seeds without dates. With `--dated`, four seeds in five get a
# `date YYYY-MM-DD` line (the article's date in the Hugo copy), as scraped seeds often have:
# the briefing then has a date, undated articles are read against it, and the timeline (every
# sentence that says when something happened) is built, as it is for real seeds.
set -euo pipefail

n="${1:?usage: bench/compare.sh N [RUNS] [--dated]}"
runs="${2:-5}"
dated="${3:-}"
if [ -n "$dated" ] && [ "$dated" != "--dated" ]; then
    echo "usage: bench/compare.sh N [RUNS] [--dated]" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
gen="${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/brief-bench-$n${dated:+-dated}}"

if [ ! -f "$gen" ]; then
    echo "compare.sh: corpus generator not found at $gen (set GEN_CORPUS)" >&2
    exit 1
fi
if ! command -v hugo >/dev/null; then
    echo "compare.sh: installing hugo (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y hugo >/dev/null || { apt-get update >/dev/null && apt-get install -y hugo >/dev/null; }
    else sudo apt-get install -y hugo >/dev/null; fi
fi
if [ ! -x /usr/bin/time ]; then
    echo "compare.sh: /usr/bin/time is needed (apt-get install time)" >&2
    exit 1
fi

(cd "$here" && cargo build --release --quiet)
brief="${CARGO_TARGET_DIR:-$here/target}/release/brief"

if [ ! -d "$work/seeds" ] || [ "$(find "$work/seeds" -name '*.txt' | wc -l)" != "$n" ]; then
    rm -rf "$work"
    python3 "$gen" --n "$n" --out "$work" >/dev/null
    if [ "$dated" = "--dated" ]; then
        python3 - "$work" <<'PY'
import os, re, sys
work = sys.argv[1]
for i, name in enumerate(sorted(os.listdir(f"{work}/seeds"))):
    if i % 5 == 0:
        continue
    page = open(f"{work}/hugo/content/articles/{name[:-4]}.md", encoding="utf-8").read()
    date = re.search(r"^date: (\d{4}-\d\d-\d\d)", page, re.M).group(1)
    path = f"{work}/seeds/{name}"
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(f"date {date}\n{text}")
PY
    fi
elif [ "$dated" = "--dated" ] && ! grep -q '^date ' "$(find "$work/seeds" -name '*.txt' | sort | sed -n 2p)"; then
    echo "compare.sh: $work holds undated seeds; remove it or set BENCH_DIR" >&2
    exit 1
fi
cat > "$work/brief.toml" <<'TOML'
title = "Benchmark briefing"
description = "Synthetic articles grouped by region."

[[topics]]
slug = "ukraine"
title = "Ukraine"
keywords = ["Ukraine", "Ukrainian", "Russia", "Russian", "Kharkiv", "Odesa", "Kyiv", "Mariupol", "Zaporizhzhia", "Donetsk", "Bakhmut", "Avdiivka", "Kherson"]

[[topics]]
slug = "gaza"
title = "Gaza and Israel"
keywords = ["Gaza", "Gaza City", "Khan Younis", "Rafah", "Jenin", "Israel", "Israeli"]

[[topics]]
slug = "sudan"
title = "Sudan"
keywords = ["Sudan", "South Sudan", "Khartoum", "Omdurman", "El Fasher"]

[[topics]]
slug = "syria"
title = "Syria and Lebanon"
keywords = ["Syria", "Syrian", "Aleppo", "Idlib", "Homs", "Lebanon", "Beirut", "Tyre", "Sidon"]

[[topics]]
slug = "sahel"
title = "Sahel"
keywords = ["Mali", "Burkina Faso", "Niger", "Nigeria", "Bamako", "Gao", "Timbuktu", "Ouagadougou", "Niamey", "Maiduguri"]
TOML

# One timed run: prints "seconds max_rss_kib".
measure() {
    local log
    log="$(mktemp)"
    /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>&1 || { echo "compare.sh: failed: $*" >&2; cat "$log" >&2; exit 1; }
    tail -n 1 "$log"
    rm -f "$log"
}

declare -A times mems
record() { times[$1]+="$2 "; mems[$1]+="$3 "; }

# One `brief serve` rebuild after `$first_seed` changes: prints "seconds max_rss_kib" (the
# server's resident memory after the rebuild, from /proc).
serve_once() {
    local log pid rss ms
    log="$(mktemp)"
    "$brief" serve --root "$work" --port 0 2>"$log" >/dev/null &
    pid=$!
    for _ in $(seq 600); do grep -q '^serving' "$log" && break; sleep 0.2; done
    sleep 0.5
    printf '\nA paragraph added while serving, run %s of the benchmark.\n' "$1" >> "$first_seed"
    for _ in $(seq 600); do grep -q 'rebuilt' "$log" && break; sleep 0.1; done
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    ms="$(grep -o 'rebuilt .* in [0-9]* ms' "$log" | tail -n 1 | sed 's/.* in \([0-9]*\) ms/\1/')"
    rm -f "$log"
    [ -n "$ms" ] || { echo "compare.sh: brief serve did not rebuild" >&2; exit 1; }
    echo "$(awk -v m="$ms" 'BEGIN { print m / 1000 }') ${rss:-0}"
}

first_seed="$(find "$work/seeds" -name '*.txt' | sort | sed -n 1p)"
cp "$first_seed" "$work/first-seed.orig"

for i in $(seq "$runs"); do
    rm -rf "$work/.brief-cache" "$work/public"
    read -r t m < <(measure "$brief" build --root "$work" --quiet); record "brief cold" "$t" "$m"
    read -r t m < <(measure "$brief" build --root "$work" --quiet); record "brief warm" "$t" "$m"
    printf '\nAn added paragraph for run %s of the benchmark, about nothing in particular.\n' "$i" >> "$first_seed"
    read -r t m < <(measure "$brief" build --root "$work" --quiet); record "brief one seed" "$t" "$m"
    cp "$work/first-seed.orig" "$first_seed"
    read -r t m < <(serve_once "$i"); record "brief serve seed" "$t" "$m"
    cp "$work/first-seed.orig" "$first_seed"
    rm -rf "$work/hugo/public"
    read -r t m < <(measure hugo --quiet --source "$work/hugo"); record "hugo" "$t" "$m"
    rm -rf "$work/seeds-copy"
    read -r t m < <(measure cp -r "$work/seeds" "$work/seeds-copy"); record "cp -r" "$t" "$m"
done
rm -rf "$work/seeds-copy"

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "articles: $n${dated:+ (four in five dated)}, runs: $runs, hugo: $(hugo version | awk '{print $2}')"
printf '%-16s %10s %14s\n' "" "median s" "peak RSS MiB"
declare -A med
for k in "brief cold" "brief warm" "brief one seed" "brief serve seed" "hugo" "cp -r"; do
    med[$k]="$(echo "${times[$k]}" | median)"
    mem="$(echo "${mems[$k]}" | median)"
    printf '%-16s %10.3f %14.1f\n' "$k" "${med[$k]}" "$(awk -v m="$mem" 'BEGIN { print m / 1024 }')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "brief cold / hugo:        $(ratio "${med[brief cold]}" "${med[hugo]}")   (target <= 0.5)"
echo "brief cold / cp -r:       $(ratio "${med[brief cold]}" "${med[cp -r]}")   (target <= 3)"
echo "brief one seed / cold:    $(ratio "${med[brief one seed]}" "${med[brief cold]}")   (target <= 0.1)"
echo "brief serve seed / cold:  $(ratio "${med[brief serve seed]}" "${med[brief cold]}")   (target <= 0.1)"
