#!/usr/bin/env bash
# fetch-ort.sh installs the ONNX Runtime shared library used by the
# inference/ort backend into ${XDG_CACHE_HOME:-~/.cache}/llmshield/onnxruntime/
# (one of the places the backend searches; see inference/ort/libpath.go), or
# into the directory given as the first argument.
#
# The library is taken from the onnxruntime-node npm package (the npm registry
# is the only package source the project builds from), its SHA-256 is checked
# against a pinned value, and it is installed atomically (write to a temporary
# file in the same directory, then rename). Running the script again is a no-op
# when the installed file already verifies. On success it prints the path.
set -euo pipefail

ORT_NPM_VERSION="1.30.0"
ORT_MEMBER="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
ORT_SHA256="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"

die() { echo "fetch-ort: $*" >&2; exit 1; }

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) die "only linux/x86_64 is supported by this script (got $(uname -s)/$(uname -m))" ;;
esac

for tool in npm tar sha256sum mktemp; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done

cache_home="${XDG_CACHE_HOME:-}"
if [[ -z "$cache_home" ]]; then
  [[ -n "${HOME:-}" ]] || die "neither XDG_CACHE_HOME nor HOME is set; pass the target directory as an argument"
  cache_home="${HOME}/.cache"
fi
dest_dir="${1:-${cache_home}/llmshield/onnxruntime}"
dest="${dest_dir}/libonnxruntime.so.1"

verify() {
  local got
  got="$(sha256sum "$1" | awk '{print $1}')"
  [[ "$got" == "$ORT_SHA256" ]]
}

if [[ -f "$dest" ]] && verify "$dest"; then
  echo "$dest"
  exit 0
fi

work="$(mktemp -d)"
tmp_dest=""
cleanup() {
  rm -rf "$work"
  if [[ -n "$tmp_dest" ]]; then rm -f "$tmp_dest"; fi
}
trap cleanup EXIT

(
  cd "$work"
  npm pack --silent "onnxruntime-node@${ORT_NPM_VERSION}" >pack.out 2>pack.err \
    || die "npm pack onnxruntime-node@${ORT_NPM_VERSION} failed: $(cat pack.err)"
)
tgz="$(find "$work" -maxdepth 1 -name 'onnxruntime-node-*.tgz' -print -quit)"
[[ -n "$tgz" ]] || die "npm pack produced no tarball"

tar -xzf "$tgz" -C "$work" "$ORT_MEMBER" \
  || die "tarball has no member $ORT_MEMBER"
extracted="${work}/${ORT_MEMBER}"

if ! verify "$extracted"; then
  die "checksum mismatch for $ORT_MEMBER: want $ORT_SHA256, got $(sha256sum "$extracted" | awk '{print $1}')"
fi

mkdir -p "$dest_dir"
chmod go-w "$dest_dir"  # the backend refuses a library others could replace
tmp_dest="$(mktemp "${dest_dir}/.libonnxruntime.so.1.XXXXXX")"
cp "$extracted" "$tmp_dest"
chmod 0644 "$tmp_dest"
verify "$tmp_dest" || die "checksum mismatch after copy"
mv -f "$tmp_dest" "$dest"
tmp_dest=""
echo "$dest"
