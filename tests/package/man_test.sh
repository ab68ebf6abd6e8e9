#!/usr/bin/env bash
# The man page man/gdrender.1.
#   man_test.sh groff SOURCE_DIR
#       groff -ww formats it without a single warning (as man -l would).
#   man_test.sh options SOURCE_DIR GDRENDER
#       every long option that gdrender --help mentions is in the man page,
#       and every long option of the man page is in --help; the version in
#       its title line is gdrender -V's; --help describes each option once.
set -euo pipefail
mode=$1
page=$2/man/gdrender.1
case $mode in
groff)
    command -v groff >/dev/null || { echo "man_test: groff is missing (apt-get install groff-base)"; exit 1; }
    warnings=$(groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "man_test: groff warnings:"
        echo "$warnings"
        exit 1
    fi
    # The sections a man page has, in this order.
    want="NAME SYNOPSIS DESCRIPTION OPTIONS CONFIG EXIT STATUS EXAMPLES FILES SEE ALSO"
    got=$(sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$page" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" != "$want" ]; then
        echo "man_test: sections \"$got\", want \"$want\""
        exit 1
    fi
    echo "man_test: groff -ww: no warnings; sections in order"
    ;;
options)
    bin=$3
    # In roff a hyphen is written \-.
    man_opts=$(sed 's/\\-/-/g' "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u)
    help_opts=$("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
    only_help=$(comm -23 <(echo "$help_opts") <(echo "$man_opts"))
    only_man=$(comm -13 <(echo "$help_opts") <(echo "$man_opts"))
    rc=0
    if [ -n "$only_help" ]; then
        echo "man_test: in --help but not in the man page:" $only_help
        rc=1
    fi
    if [ -n "$only_man" ]; then
        echo "man_test: in the man page but not in --help:" $only_man
        rc=1
    fi
    # Each option is described once: an option line of --help starts with
    # "  -x, --name" or "      --name".
    twice=$("$bin" --help | sed -n 's/^ \{2,6\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort | uniq -d)
    if [ -n "$twice" ]; then
        echo "man_test: described more than once in --help:" $twice
        rc=1
    fi
    version=$("$bin" -V | sed 's/^gdrender //')
    if ! grep -q "^\.TH GDRENDER 1 .*\"gdrender $version\"" "$page"; then
        echo "man_test: the .TH line does not name gdrender $version"
        rc=1
    fi
    [ $rc -eq 0 ] && echo "man_test: --help and the man page name the same $(echo "$help_opts" | wc -l) long options"
    exit $rc
    ;;
*)
    echo "usage: man_test.sh groff|options SOURCE_DIR [GDRENDER]"
    exit 2
    ;;
esac
