#!/usr/bin/env bash
# cmake --install into a temporary prefix, then the installed tree moved
# elsewhere and run from a folder where the source tree is not visible:
# the binary names no source or build path, it renders a still of an
# installed example config with the installed font (strace shows which
# files it opens, where strace works), and without that font it fails
# naming where the font belongs instead of finding the source tree's.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR [plain|sanitized]
# (sanitized: a GD_SANITIZE build, whose sanitizer location records keep
# source paths in the binary; then only the files it opens are checked)
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
kind=${3:-plain}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "install_test: $*"
    exit 1
}

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
p=$tmp/prefix
for f in bin/gdrender share/gdrender/fonts/DejaVuSans.ttf share/gdrender/fonts/DejaVuSans-Bold.ttf \
    share/gdrender/configs/lr_too_large.ini share/man/man1/gdrender.1 \
    share/bash-completion/completions/gdrender; do
    [ -f "$p/$f" ] || fail "$f is not installed"
done
[ -x "$p/bin/gdrender" ] || fail "bin/gdrender is not executable"
n_src=$(ls "$src"/configs/*.ini | wc -l)
n_inst=$(ls "$p"/share/gdrender/configs/*.ini | wc -l)
[ "$n_src" -eq "$n_inst" ] || fail "$n_inst example configs installed, the source has $n_src"
! find "$p" -name gdrender-build-tree | grep -q . || fail "the build-tree marker was installed"
# Every data file an installed config names ([data] file = ...) is beside it.
for ini in "$p"/share/gdrender/configs/*.ini; do
    sed -n 's/^[[:space:]]*file[[:space:]]*=[[:space:]]*\([^;]*[^;[:space:]]\).*/\1/p' "$ini" |
        while IFS= read -r data; do
            [ -f "$(dirname "$ini")/$data" ] || fail "$(basename "$ini"): its data file $data is not installed"
        done
done
# No path of this machine's source or build tree in the binary.
if [ "$kind" = sanitized ]; then
    echo "install_test: a sanitizer build: not checking the binary's strings"
elif strings "$p/bin/gdrender" | grep -F -e "$src" -e "$build"; then
    fail "the installed binary contains the paths above"
fi

# Moved as a whole (the lookup is relative to the binary), run from an
# empty folder.
mv "$p" "$tmp/moved"
m=$tmp/moved
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
cfg=$m/share/gdrender/configs/lr_too_large.ini
run=("$m/bin/gdrender" -q draft -f 30 --no-progress -o "$tmp/elsewhere/still.png" "$cfg")
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    # LeakSanitizer cannot run under ptrace: a sanitizer build's leak check
    # is off for this one run.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -e trace=%file -o "$tmp/trace.log" "${run[@]}"
    if grep -F -e "$src" -e "$build" "$tmp/trace.log"; then
        fail "the installed binary looked at the source or build tree (above)"
    fi
    grep -q "open.*\"$m/share/gdrender/fonts/DejaVuSans.ttf\"" "$tmp/trace.log" ||
        fail "the installed binary did not open the installed font"
    echo "install_test: strace: only installed files, the installed font opened"
else
    echo "install_test: strace unavailable: relying on the hidden-font check"
    "${run[@]}"
fi
[ -s still.png ] || fail "no still.png"
[ "$(head -c 8 still.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "still.png is not a PNG"
size=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 still.png)
[ "$size" = "png,640,360" ] || fail "still.png: ffprobe says \"$size\", want png,640,360 (draft 1280x720)"

# The installed binary also makes and renders a starting config.
"$m/bin/gdrender" new minima >lesson.ini
"$m/bin/gdrender" --check lesson.ini >/dev/null

# Without the installed font it does not fall back to the source tree's:
# it fails, naming where the installed font belongs.
mv "$m/share/gdrender/fonts" "$m/share/gdrender/fonts.hidden"
set +e
err=$("$m/bin/gdrender" -q draft -f 30 --no-progress -o "$tmp/elsewhere/none.png" "$cfg" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "rendered without its font"
[[ $err == *"$m/share/gdrender/fonts/DejaVuSans.ttf"* ]] ||
    fail "the error does not name the installed font's place: $err"
[ ! -e none.png ] || fail "a still was written without the font"
echo "install_test: installed, moved, rendered $size with the installed font"
