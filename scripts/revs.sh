# Sourced by the scripts that compare commits (heuristic-speed.sh,
# startup.sh). It sets root (the repository) and tmp (a folder removed on
# exit); build_revs BUILD REV... sets revs to the REVs (at least one, else
# it prints the usage and exits), extracts each commit's tree into
# $tmp/src$i and runs the command BUILD there with the path of the binary
# to build, $tmp/bin$i.
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build_revs() {
	local build=$1 i
	shift
	revs=("$@")
	[ ${#revs[@]} -gt 0 ] || { echo "usage: $0 rev..." >&2; exit 2; }
	for i in "${!revs[@]}"; do
		mkdir -p "$tmp/src$i"
		git -C "$root" archive "${revs[$i]}" | tar -x -C "$tmp/src$i"
		(cd "$tmp/src$i" && "$build" "$tmp/bin$i")
		echo "built ${revs[$i]} ($(git -C "$root" rev-parse --short "${revs[$i]}"))" >&2
	done
}
