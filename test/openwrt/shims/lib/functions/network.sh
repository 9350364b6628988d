# Test stand-in for OpenWrt's /lib/functions/network.sh, the two lookups
# init.d/updyn makes, written after reading the real one: both read
# `ubus call network.interface.IFACE status` (in jshn's "network" namespace)
# and succeed only when the field is there. netifd reports l3_device (what
# carries the addresses: pppoe-wan for PPPoE) only while the interface is up;
# device is the configured (layer 2) one.
# shellcheck shell=dash

. "$IPKG_INSTROOT/usr/share/libubox/jshn.sh"

__network_field() { # dest iface field
	local __status __old_ns __value __found=1
	__status="$(ubus call network.interface."$2" status 2>/dev/null)"
	if [ -n "$__status" ]; then
		json_set_namespace network __old_ns
		json_load "$__status"
		json_get_var __value "$3" && __found=0
		json_cleanup
		json_set_namespace "$__old_ns"
	fi
	export -- "$1=$__value"
	return "$__found"
}

network_get_device() { __network_field "$1" "$2" l3_device; }
network_get_physdev() { __network_field "$1" "$2" device; }
