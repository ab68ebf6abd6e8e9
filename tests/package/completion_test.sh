#!/usr/bin/env bash
# The bash completion (scripts/completion/gdrender) run as bash runs it:
# source it, set COMP_WORDS and COMP_CWORD, call _gdrender, check COMPREPLY.
# Usage: completion_test.sh SOURCE_DIR
set -euo pipefail
export LC_ALL=C
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# shellcheck source=/dev/null
source "$src/scripts/completion/gdrender"
mkdir sub
touch lesson.ini other.INI notes.txt clip.mp4 still.png run.csv subs.vtt
cat >lesson.ini <<'INI'
[model]
params = a, w[4]
[run good]
init = 1, 2
[run]
init = 1, 2
[caption jump]
text = hi
[mark truth]
at = 1, 2
INI

# Completion functions run in an interactive shell, without -e or -u.
set +eu
fails=0
# complete WORD... : COMPREPLY for the last word, sorted, one line
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _gdrender
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() { # expect "WANT" WORD...
    local want=$1 got
    shift
    got=$(complete_line "$@")
    if [ "$got" != "$want" ]; then
        echo "FAIL: [$*]: got \"$got\", want \"$want\""
        fails=$((fails + 1))
    fi
}
expect_has() { # expect_has ITEM WORD...
    local item=$1 got
    shift
    got=" $(complete_line "$@") "
    if [[ $got != *" $item "* ]]; then
        echo "FAIL: [$*]: \"$item\" not in \"$got\""
        fails=$((fails + 1))
    fi
}
expect_lacks() {
    local item=$1 got
    shift
    got=" $(complete_line "$@") "
    if [[ $got == *" $item "* ]]; then
        echo "FAIL: [$*]: \"$item\" should not be in \"$got\""
        fails=$((fails + 1))
    fi
}

# options
expect "--segment --set" gdrender --se
expect "--no-progress" gdrender --no
expect_has --watch gdrender --
expect_has --basins gdrender lesson.ini --
# -q values
expect "draft high medium" gdrender -q ""
expect "draft" gdrender lesson.ini --quality d
# subcommands and the config's file names (folders to descend into)
expect "join lesson.ini new other.INI sub/" gdrender ""
expect "new" gdrender n
# new's templates
expect "--help --list -h -l compare csv formula lr minima" gdrender new ""
expect "minima" gdrender new mi
expect "" gdrender new lr ""
# join: segments
expect "clip.mp4 sub/" gdrender join -o out.mp4 ""
expect "--help --output -h -o" gdrender join -
# output files by extension
expect "clip.mp4 still.png sub/" gdrender -o ""
expect "run.csv sub/" gdrender --trajectory ""
expect "sub/ subs.vtt" gdrender --subtitles ""
# --set: the fixed sections' keys ...
expect_has video.width= gdrender --set v
expect_has video.audio= gdrender --set v
expect_has surface.plane= gdrender --set surface.
expect_has basins.floor= gdrender --set b
expect_lacks run.good.lr= gdrender --set run.
# ... and, from the config on the command line, its runs, captions, marks
# and parameters, wherever the config is on the line
expect_has run.good.lr= gdrender lesson.ini --set run.
expect_has run.lr= gdrender lesson.ini --set run.
expect_has caption.jump.text= gdrender lesson.ini --set caption.
expect_has mark.truth.at= gdrender lesson.ini --set mark.
expect_has surface.a= gdrender lesson.ini --set surface.
expect "run.good.init=" gdrender -q draft lesson.ini --set run.good.in
COMP_WORDS=(gdrender --set run.good.l lesson.ini)
COMP_CWORD=2
COMPREPLY=()
_gdrender
if [ "$(printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " ")" != "run.good.label= run.good.lr= " ]; then
    echo "FAIL: config after --set: got \"${COMPREPLY[*]}\""
    fails=$((fails + 1))
fi
# values that are not files complete to nothing
expect "" gdrender -f ""
expect "" gdrender --segment ""
# the completion is registered for the command
complete -p gdrender | grep -q -- "-F _gdrender" || {
    echo "FAIL: complete -p gdrender"
    fails=$((fails + 1))
}

if [ "$fails" -ne 0 ]; then
    echo "completion: $fails failures"
    exit 1
fi
echo "completion: all checks passed"
