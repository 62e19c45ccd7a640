#!/usr/bin/env bash
# Build deepworkzone_<version>_<arch>.deb from the Linux bundle (packaging/build-bundle.sh).
#
#   packaging/build-deb.sh [BUNDLE_OUT] [DEB_DIR]
#     BUNDLE_OUT: where build-bundle.sh built (default build/bundle; built first if missing)
#     DEB_DIR:    where the .deb goes (default build/deb); its path is the only line on stdout
#
# Layout (all root-owned; dpkg removes every file on `apt remove`, prerm the helper's state):
#   /usr/lib/deepworkzone/app/                 the bundle; /usr/bin/deepworkzone links to it
#   /usr/libexec/deepworkzone/deepworkzone-helper, /usr/lib/deepworkzone/helper/, the polkit
#     policy in /usr/share/polkit-1/actions/: the same files `deepworkzone setup` installs
#     (the tree the bundle carries), so `deepworkzone setup --check` passes on a .deb install
#   /usr/share/applications, /usr/share/metainfo, /usr/share/icons/hicolor: packaging/linux
#     and resources/icons (the desktop entry, metainfo and icons of `install-desktop`)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle_out=$(realpath -m "${1:-build/bundle}")
deb_dir=$(realpath -m "${2:-build/deb}")
bundle="$bundle_out/dist/deepworkzone"
[ -x "$bundle/deepworkzone" ] || bash packaging/build-bundle.sh "$bundle_out" >&2
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb is needed (apt install dpkg)" >&2; exit 1; }

version=$(PYTHONPATH="$PWD/src" python3 -c 'import deepworkzone; print(deepworkzone.__version__)')
arch=$(dpkg --print-architecture)
app_id=ai.deepworkzone.DeepWorkZone
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/DEBIAN" "$root/usr/lib/deepworkzone" "$root/usr/bin"

cp -a "$bundle" "$root/usr/lib/deepworkzone/app"
ln -s ../lib/deepworkzone/app/deepworkzone "$root/usr/bin/deepworkzone"
# The helper, its modules and the policy: the tree the bundle carries for setup.
cp -a "$bundle/_internal/deepworkzone_setup/usr/." "$root/usr/"

missing=()
for f in "packaging/linux/$app_id.desktop" "packaging/linux/$app_id.metainfo.xml"; do
  [ -f "$f" ] || missing+=("$f")
done
[ -d resources/icons/hicolor ] || missing+=(resources/icons/hicolor)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-deb: missing ${missing[*]}" >&2; exit 1
fi
install -D -m 0644 "packaging/linux/$app_id.desktop" "$root/usr/share/applications/$app_id.desktop"
install -D -m 0644 "packaging/linux/$app_id.metainfo.xml" "$root/usr/share/metainfo/$app_id.metainfo.xml"
mkdir -p "$root/usr/share/icons"
cp -r resources/icons/hicolor "$root/usr/share/icons/"
[ -f resources/icons/app.svg ] && install -D -m 0644 resources/icons/app.svg \
  "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"

# Modes as a package wants them, whatever the umask of the build was.
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$root/usr/share" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/libexec/deepworkzone/deepworkzone-helper" "$root/usr/lib/deepworkzone/app/deepworkzone"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
  packaging/debian/control.in >"$root/DEBIAN/control"
install -m 0755 packaging/debian/prerm "$root/DEBIAN/"

mkdir -p "$deb_dir"
deb="$deb_dir/deepworkzone_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1), installs $((size / 1024)) MB)" >&2
echo "$deb"
