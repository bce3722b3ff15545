# shellcheck shell=sh
# Installed by the daig-desktop package, read by bin/daig-provider, bin/daig-desktop and bin/daig:
# each user's own folders (XDG base directories), since /opt/daig-desktop is read-only. The
# environment still wins. A user's config folder starts as a copy of /etc/daig-desktop.
: "${DAIG_CONFIG_DIR:=${XDG_CONFIG_HOME:-$HOME/.config}/daig-desktop}"
: "${DAIG_DATA_DIR:=${XDG_DATA_HOME:-$HOME/.local/share}/daig-desktop}"
: "${DAIG_LOG_DIR:=${XDG_STATE_HOME:-$HOME/.local/state}/daig-desktop}"
: "${DAIG_CONFIG_SEED:=/etc/daig-desktop}"
export DAIG_CONFIG_DIR DAIG_DATA_DIR DAIG_LOG_DIR DAIG_CONFIG_SEED
