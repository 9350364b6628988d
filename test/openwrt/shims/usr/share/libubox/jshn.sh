# Test stand-in for libubox's /usr/share/libubox/jshn.sh (the subset that
# procd.sh, network.sh and init.d/updyn use), written after reading the real
# one. Same contract with the `jshn` program (usr/bin/jshn here):
#   jshn -r JSON  prints shell code that rebuilds it (json_init; json_add_...)
#   jshn -w       prints the document held in these exported variables:
#     ${JSON_PREFIX}JSON_CUR        the container being filled or read
#     ${JSON_PREFIX}K_<c>           its keys, space separated
#     ${JSON_PREFIX}U_<c>           its parent
#     ${JSON_PREFIX}S_<c>           an array's element count
#     ${JSON_PREFIX}<c>_<k>         a value (or a child container's id)
#     ${JSON_PREFIX}T_<c>_<k>       its type; N_<c>_<k>: the name before
#                                   non-alphanumerics became '_'
# POSIX sh with `local`, like busybox ash and dash run it. `local` is dynamic
# scope, so every function's locals have names of their own: a function that
# sets a variable by name must never hide the caller's.

_jshn_get() { # dest var
	eval "$1=\"\${${JSON_PREFIX}$2}\""
}

_jshn_set() { # var value
	export -- "${JSON_PREFIX}$1=$2"
}

_jshn_append() { # var word
	local _jshn_old
	_jshn_get _jshn_old "$1"
	_jshn_set "$1" "${_jshn_old:+$_jshn_old }$2"
}

_jshn_key() { # dest name
	case "$2" in
	*[!A-Za-z0-9_]*) eval "$1=\$(printf '%s' \"\$2\" | tr -c 'A-Za-z0-9_' '_')" ;;
	*) eval "$1=\$2" ;;
	esac
}

_jshn_add() { # type name value container
	local _jshn_k _jshn_n
	case "$4" in
	J_A*)
		_jshn_get _jshn_n "S_$4"
		_jshn_k=$((${_jshn_n:-0} + 1))
		_jshn_set "S_$4" "$_jshn_k"
		;;
	*)
		_jshn_key _jshn_k "$2"
		[ "$_jshn_k" = "$2" ] || _jshn_set "N_$4_$_jshn_k" "$2"
		;;
	esac
	_jshn_set "$4_$_jshn_k" "$3"
	_jshn_set "T_$4_$_jshn_k" "$1"
	_jshn_append JSON_UNSET "$4_$_jshn_k"
	_jshn_append "K_$4" "$_jshn_k"
}

_jshn_open() { # name type letter
	local _jshn_cur _jshn_seq _jshn_id
	_jshn_get _jshn_cur JSON_CUR
	_jshn_get _jshn_seq JSON_SEQ
	_jshn_seq=$((${_jshn_seq:-0} + 1))
	_jshn_set JSON_SEQ "$_jshn_seq"
	_jshn_id="J_$3$_jshn_seq"
	_jshn_set "U_$_jshn_id" "$_jshn_cur"
	_jshn_set "K_$_jshn_id" ""
	unset "${JSON_PREFIX}S_$_jshn_id"
	_jshn_set JSON_CUR "$_jshn_id"
	_jshn_append JSON_UNSET "$_jshn_id"
	_jshn_add "$2" "$1" "$_jshn_id" "$_jshn_cur"
}

_jshn_close() {
	local _jshn_cur _jshn_up
	_jshn_get _jshn_cur JSON_CUR
	_jshn_get _jshn_up "U_$_jshn_cur"
	_jshn_set JSON_CUR "${_jshn_up:-J_V}"
}

json_set_namespace() { # new [var for the old one]
	[ -n "$2" ] && eval "$2=\$JSON_PREFIX"
	JSON_PREFIX="$1"
}

json_cleanup() {
	local _jshn_all _jshn_x
	_jshn_get _jshn_all JSON_UNSET
	for _jshn_x in $_jshn_all; do
		unset "${JSON_PREFIX}U_$_jshn_x" "${JSON_PREFIX}K_$_jshn_x" "${JSON_PREFIX}S_$_jshn_x" \
			"${JSON_PREFIX}T_$_jshn_x" "${JSON_PREFIX}N_$_jshn_x" "${JSON_PREFIX}$_jshn_x"
	done
	unset "${JSON_PREFIX}JSON_SEQ" "${JSON_PREFIX}JSON_CUR" "${JSON_PREFIX}JSON_UNSET"
}

json_init() {
	json_cleanup
	_jshn_set JSON_SEQ 0
	_jshn_set JSON_CUR J_V
	_jshn_set JSON_UNSET J_V
}

json_add_object() { _jshn_open "$1" object T; }
json_add_array() { _jshn_open "$1" array A; }
json_close_object() { _jshn_close; }
json_close_array() { _jshn_close; }

json_add_string() {
	local _jshn_cur
	_jshn_get _jshn_cur JSON_CUR
	_jshn_add string "$1" "$2" "$_jshn_cur"
}

json_add_int() {
	local _jshn_cur
	_jshn_get _jshn_cur JSON_CUR
	_jshn_add int "$1" "$2" "$_jshn_cur"
}

json_add_boolean() {
	local _jshn_cur
	_jshn_get _jshn_cur JSON_CUR
	_jshn_add boolean "$1" "$2" "$_jshn_cur"
}

json_add_double() {
	local _jshn_cur
	_jshn_get _jshn_cur JSON_CUR
	_jshn_add double "$1" "$2" "$_jshn_cur"
}

json_add_null() {
	local _jshn_cur
	_jshn_get _jshn_cur JSON_CUR
	_jshn_add null "$1" "" "$_jshn_cur"
}

json_load() {
	eval "$(jshn -r "$1")"
}

json_dump() {
	jshn ${JSON_PREFIX:+-p "$JSON_PREFIX"} -w
}

json_get_type() { # dest name
	local _jshn_gt_cur _jshn_gt_k
	_jshn_get _jshn_gt_cur JSON_CUR
	_jshn_key _jshn_gt_k "$2"
	eval "export -- \"\$1=\${${JSON_PREFIX}T_${_jshn_gt_cur}_$_jshn_gt_k}\"; [ -n \"\${${JSON_PREFIX}T_${_jshn_gt_cur}_$_jshn_gt_k+x}\" ]"
}

json_is_a() { # name type
	local _jshn_t
	json_get_type _jshn_t "$1"
	[ "$_jshn_t" = "$2" ]
}

json_get_var() { # dest name [default]
	local _jshn_gv_cur _jshn_gv_k
	_jshn_get _jshn_gv_cur JSON_CUR
	_jshn_key _jshn_gv_k "$2"
	eval "export -- \"\$1=\${${JSON_PREFIX}${_jshn_gv_cur}_$_jshn_gv_k:-\$3}\"; [ -n \"\${${JSON_PREFIX}${_jshn_gv_cur}_$_jshn_gv_k+x}\${3+x}\" ]"
}

json_get_vars() {
	local _jshn_v
	for _jshn_v in "$@"; do
		json_get_var "$_jshn_v" "$_jshn_v"
	done
}

json_get_keys() { # dest [container name]
	local _jshn_c
	if [ -n "$2" ]; then
		json_get_var _jshn_c "$2"
	else
		_jshn_get _jshn_c JSON_CUR
	fi
	eval "export -- \"\$1=\${${JSON_PREFIX}K_$_jshn_c}\"; [ -n \"\${${JSON_PREFIX}K_$_jshn_c+x}\" ]"
}

json_get_values() { # dest [container name]
	local _jshn_keys _jshn_k _jshn_v _jshn_out='' _jshn_sel='' _json_no_warning=1
	if [ -n "$2" ]; then
		json_select "$2" || return 1
		_jshn_sel=1
	fi
	json_get_keys _jshn_keys
	for _jshn_k in $_jshn_keys; do
		json_get_var _jshn_v "$_jshn_k"
		_jshn_out="${_jshn_out:+$_jshn_out }$_jshn_v"
	done
	[ -n "$_jshn_sel" ] && json_select ..
	eval "$1=\$_jshn_out"
	return 0
}

json_select() { # name | .. | (empty: the top)
	local _jshn_sel_id _jshn_sel_t
	case "$1" in
	'')
		_jshn_set JSON_CUR J_V
		;;
	..)
		_jshn_close
		;;
	*)
		json_get_type _jshn_sel_t "$1"
		case "$_jshn_sel_t" in
		object | array)
			json_get_var _jshn_sel_id "$1"
			_jshn_set JSON_CUR "$_jshn_sel_id"
			;;
		*)
			[ -n "$_json_no_warning" ] || echo "WARNING: Variable '$1' does not exist or is not an array/object" >&2
			return 1
			;;
		esac
		;;
	esac
}
