# lib.sh - shell helpers shared by nixie.sh and run-tests.sh (sourced).

# meson_dir DIR [meson options...]: configure DIR, or reconfigure it if it
# exists (so changed options and new meson.build files take effect).
meson_dir() {
    local dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}
