# Test stand-in for OpenWrt's /lib/functions/procd.sh (package/system/procd),
# the part init.d/updyn uses, written after reading the real one: the same
# public functions, each running its _name twin in jshn's "procd" namespace
# (so a script's own json_* calls between them are left alone), and the same
# message to `ubus call service set|delete|signal`.
# shellcheck shell=dash disable=SC2154 # initscript: set by rc.common

. "$IPKG_INSTROOT/usr/share/libubox/jshn.sh"

PROCD_RELOAD_DELAY=1000
_procd_trigger_open=0

_procd_call() {
	local old_cb
	json_set_namespace procd old_cb
	"$@"
	json_set_namespace "$old_cb"
}

_procd_wrapper() {
	while [ -n "$1" ]; do
		eval "$1() { _procd_call _$1 \"\$@\"; }"
		shift
	done
}

_procd_ubus_call() {
	ubus call service "$1" "$(json_dump)"
	json_cleanup
}

_procd_open_service() {
	_PROCD_SERVICE="$1"
	_PROCD_INSTANCE_SEQ=0
	json_init
	json_add_string name "$1"
	[ -n "$2" ] && json_add_string script "$2"
	json_add_object instances
}

_procd_close_service() {
	json_close_object
	_procd_open_trigger
	service_triggers
	_procd_close_trigger
	if type service_data >/dev/null 2>&1; then
		json_add_object data
		service_data
		json_close_object
	fi
	_procd_ubus_call "${1:-set}"
}

_procd_array_data() {
	while [ "$#" -gt 0 ]; do
		json_add_string "" "$1"
		shift
	done
}

_procd_array() {
	json_add_array "$1"
	shift
	_procd_array_data "$@"
	json_close_array
}

_procd_table_data() {
	local var val
	while [ -n "$1" ]; do
		var="${1%%=*}"
		val="${1#*=}"
		[ "$1" = "$val" ] && val=
		json_add_string "$var" "$val"
		shift
	done
}

_procd_open_instance() {
	_PROCD_INSTANCE_SEQ=$((_PROCD_INSTANCE_SEQ + 1))
	json_add_object "${1:-instance$_PROCD_INSTANCE_SEQ}"
}

_procd_set_param() {
	local type="$1"
	shift
	case "$type" in
	env | data | limits)
		json_add_object "$type"
		_procd_table_data "$@"
		json_close_object
		;;
	command | netdev | file | respawn | watch | watchdog) _procd_array "$type" "$@" ;;
	nice | term_timeout) json_add_int "$type" "$1" ;;
	reload_signal) json_add_int "$type" "$(kill -l "$1")" ;;
	stdout | stderr | no_new_privs) json_add_boolean "$type" "$1" ;;
	pidfile | user | group | seccomp | capabilities | facility) json_add_string "$type" "$1" ;;
	esac
}

_procd_append_param() {
	local type="$1" _json_no_warning=1
	shift
	if ! json_select "$type"; then
		_procd_set_param "$type" "$@"
		return
	fi
	case "$type" in
	env | data | limits) _procd_table_data "$@" ;;
	command | netdev | file | respawn | watch | watchdog) _procd_array_data "$@" ;;
	esac
	json_select ..
}

_procd_close_instance() {
	local vals _json_no_warning=1
	if json_select respawn; then
		json_get_values vals
		# procd's defaults (the real script reads them from uci system.@service[0])
		[ -z "$vals" ] && _procd_array_data 3600 5 5
		json_select ..
	fi
	json_close_object
}

_procd_open_trigger() {
	_procd_trigger_open=$((_procd_trigger_open + 1))
	[ "$_procd_trigger_open" -gt 1 ] && return
	json_add_array triggers
}

_procd_close_trigger() {
	_procd_trigger_open=$((_procd_trigger_open - 1))
	[ "$_procd_trigger_open" -lt 1 ] || return
	json_close_array
}

_procd_add_timeout() {
	[ "$PROCD_RELOAD_DELAY" -gt 0 ] && json_add_int "" "$PROCD_RELOAD_DELAY"
	return 0
}

# [ event, [ "if", [ "eq", field, value ], [ "run_script", ... ] ], delay ]
_procd_add_condition_trigger() {
	local event="$1" field="$2" value="$3"
	shift 3
	json_add_array
	_procd_array_data "$event"
	json_add_array
	_procd_array_data if
	json_add_array
	_procd_array_data eq "$field" "$value"
	json_close_array
	json_add_array
	_procd_array_data run_script "$@"
	json_close_array
	json_close_array
	_procd_add_timeout
	json_close_array
}

_procd_add_interface_trigger() {
	local event="$1" iface="$2"
	shift 2
	_procd_add_condition_trigger "$event" interface "$iface" "$@"
}

_procd_add_config_trigger() {
	local event="$1" package="$2"
	shift 2
	_procd_add_condition_trigger "$event" package "$package" "$@"
}

_procd_add_reload_trigger() {
	local script name file
	script=$(readlink "$initscript")
	name=$(basename "${script:-$initscript}")
	_procd_open_trigger
	for file in "$@"; do
		_procd_add_config_trigger config.change "$file" "/etc/init.d/$name" reload
	done
	_procd_close_trigger
}

_procd_kill() {
	json_init
	[ -n "$1" ] && json_add_string name "$1"
	[ -n "$2" ] && json_add_string instance "$2"
	_procd_ubus_call delete
}

_procd_send_signal() {
	local service="$1" instance="$2" signal="$3"
	case "$signal" in
	[A-Z]*) signal="$(kill -l "$signal" 2>/dev/null)" || return 1 ;;
	esac
	json_init
	json_add_string name "$service"
	[ -n "$instance" ] && [ "$instance" != "*" ] && json_add_string instance "$instance"
	[ -n "$signal" ] && json_add_int signal "$signal"
	_procd_ubus_call signal
}

_procd_wrapper \
	procd_open_service \
	procd_close_service \
	procd_add_interface_trigger \
	procd_add_config_trigger \
	procd_add_reload_trigger \
	procd_open_trigger \
	procd_close_trigger \
	procd_open_instance \
	procd_close_instance \
	procd_set_param \
	procd_append_param \
	procd_kill \
	procd_send_signal
