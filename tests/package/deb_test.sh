#!/usr/bin/env bash
# The Debian package, as a user gets it: cpack -G DEB, apt-get install
# ./gdrender_*.deb, then the main job (configs/lr_too_large.ini from
# /usr/share/gdrender/configs, at draft quality) rendered by
# /usr/bin/gdrender into a temporary folder and its frame count checked
# with ffprobe; the man page found by man -w, the completion installed;
# finally apt-get remove. Needs root or sudo (CI runs it from .ci/run).
# Usage: tests/package/deb_test.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
tmp=$(mktemp -d)
installed=0
cleanup() {
    if [ $installed -eq 1 ]; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq -o DPkg::Lock::Timeout=600 \
            gdrender >/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "deb_test: $*"
    exit 1
}

# Build the package (a Release build; the .deb is stripped).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target gdrender >/dev/null
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >/dev/null)
version=$("$build/gdrender" -V | sed 's/^gdrender //')
arch=$(dpkg --print-architecture)
deb=$tmp/pkg/gdrender_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $(basename "$deb") (cpack made: $(ls "$tmp/pkg"))"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libavcodec libavformat libavutil libswscale libfreetype6 libfontconfig1 libinih1 libc6; do
    [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[ "$(dpkg-deb -f "$deb" Recommends)" = fonts-noto-cjk ] || fail "Recommends is not fonts-noto-cjk"
echo "deb_test: $(basename "$deb"), Depends: $depends"

# Install it as a user would (apt resolves the dependencies).
(cd "$tmp/pkg" && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    -o DPkg::Lock::Timeout=600 "./$(basename "$deb")" >/dev/null)
installed=1
[ -x /usr/bin/gdrender ] || fail "/usr/bin/gdrender is not installed"
[ "$(/usr/bin/gdrender -V)" = "gdrender $version" ] || fail "/usr/bin/gdrender -V: $(/usr/bin/gdrender -V)"
# It finds its font beside itself, not in this source tree.
if strings /usr/bin/gdrender | grep -F -e "$PWD" -e "$(realpath "$build")"; then
    fail "/usr/bin/gdrender contains the paths above"
fi
cfg=/usr/share/gdrender/configs/lr_too_large.ini
[ -f "$cfg" ] || fail "$cfg is not installed"

# The main job, at draft quality, from a folder away from the source tree.
mkdir "$tmp/work"
cd "$tmp/work"
/usr/bin/gdrender -q draft --no-progress -o "$tmp/work/lr_too_large.mp4" "$cfg"
# The frames the config asks for: one timeline row per frame (one run).
/usr/bin/gdrender --check --timeline "$tmp/work/timeline.csv" "$cfg" >/dev/null
want=$(($(wc -l <"$tmp/work/timeline.csv") - 1))
got=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
    -of csv=p=0 "$tmp/work/lr_too_large.mp4")
[ "$got" = "$want" ] || fail "lr_too_large.mp4 has $got frames, want $want"
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height \
    -of csv=p=0 "$tmp/work/lr_too_large.mp4")
[ "$size" = "h264,640,360" ] || fail "lr_too_large.mp4: $size, want h264,640,360 (draft)"
echo "deb_test: /usr/bin/gdrender rendered $got frames ($size)"

# The man page and the completion.
if page=$(man -w gdrender 2>/dev/null); then
    [[ $page == /usr/share/man/man1/gdrender.1* ]] || fail "man -w gdrender: $page"
    echo "deb_test: man -w gdrender: $page"
elif grep -qs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
    # A minimised image (dpkg excludes man pages): the package has it.
    dpkg-deb -c "$deb" | grep -q './usr/share/man/man1/gdrender.1' || fail "no man page in the package"
    echo "deb_test: dpkg here excludes /usr/share/man; the package has the page"
else
    command -v man >/dev/null || fail "man is missing (apt-get install man-db)"
    fail "man -w gdrender finds no page"
fi
comp=/usr/share/bash-completion/completions/gdrender
[ -f "$comp" ] || fail "$comp is not installed"
bash -c "source $comp && complete -p gdrender" | grep -q -- '-F _gdrender' || fail "$comp registers no completion"

# And it goes away cleanly.
DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq -o DPkg::Lock::Timeout=600 gdrender >/dev/null
installed=0
[ ! -e /usr/bin/gdrender ] || fail "/usr/bin/gdrender is still there after apt-get remove"
[ ! -e "$cfg" ] || fail "$cfg is still there after apt-get remove"
echo "deb_test: installed, rendered, removed"
