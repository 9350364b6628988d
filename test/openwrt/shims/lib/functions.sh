# Test stand-in for OpenWrt's /lib/functions.sh: the helpers rc.common uses.
# shellcheck shell=dash

# shellcheck disable=SC2034 # read by scripts that source this
N="
"

list_contains() {
	local var="$1" str="$2" val
	eval "val=\" \${$var} \""
	[ "${val%% "$str" *}" != "$val" ]
}
