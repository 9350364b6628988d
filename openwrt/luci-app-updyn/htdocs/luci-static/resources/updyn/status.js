'use strict';
'require baseclass';
'require fs';
'require rpc';

// What the status page and the Status → Overview include both read: the
// daemon's own report and rpcd's view of the service. Neither ever touches
// the uci package updyn (it holds the tokens), so a user who may only look at
// the status never receives a token.

// rpcd rc.c (openwrt/rpcd): `rc list {name}` answers { updyn: { start, stop,
// enabled, running } }, `running` only for USE_PROCD=1 scripts (ours is), from
// `/etc/init.d/updyn running`'s exit code; a name with no init script is left
// out of the answer.
var callRcList = rpc.declare({
	object: 'rc',
	method: 'list',
	params: [ 'name' ],
	expect: { '': {} }
});

// `rc init {name, action}`: action one of start, stop, restart, reload,
// enable, disable (anything else: invalid argument); the reply carries no data
// and does not tell the script's exit code. rpcd's ACLs name ubus methods, not
// their arguments: the write grant on rc.init lets its holder run those six
// actions on EVERY init script of the router, not only updyn's. The views
// only ever send name 'updyn'.
var callRcInit = rpc.declare({
	object: 'rc',
	method: 'init',
	params: [ 'name', 'action' ],
	reject: true
});

// `updyn status --json` reads state_dir from the config itself (as root, via
// cgi-io) and prints status.json plus "running"; it never prints the config,
// so the page follows state_dir without being able to read a token. One exact
// command line in the ACL.
var STATUS_COMMAND = '/usr/bin/updyn',
    STATUS_ARGS = [ 'status', '--json' ];

/**
 * Never rejects: { service: {enabled, running}|null|Error, doc, why } where
 * doc is the status document (or null) and why says why there is none.
 */
function read() {
	return Promise.all([
		callRcList('updyn').then(function(list) {
			return L.isObject(list.updyn) ? list.updyn : null;
		}, function(err) { return err }),
		fs.exec_direct(STATUS_COMMAND, STATUS_ARGS, 'json').then(function(doc) {
			if (!L.isObject(doc))
				return { why: 'unreadable', detail: _('the status is not valid') };
			if (typeof(doc.error) == 'string')
				return { why: /^no status yet/.test(doc.error) ? 'nostatus' : 'unreadable', detail: doc.error };
			if (!Array.isArray(doc.services))
				return { why: 'unreadable', detail: _('the status has no list of services') };
			return { doc: doc };
		}, function(err) {
			// a config error prints nothing on stdout: not JSON
			return { why: 'unreadable', detail: (err.name == 'SyntaxError')
				? _('updyn could not read its configuration; see Settings') : err.message };
		})
	]).then(function(r) {
		return { service: r[0], doc: r[1].doc || null, why: r[1].why || null, detail: r[1].detail || null };
	});
}

/** "5 minutes ago" / "in 2 hours", counts through N_() */
function relative(iso, now) {
	var t = (iso != null) ? Date.parse(iso) : NaN;
	if (isNaN(t))
		return null;

	var ms = t - now, s = Math.round(Math.abs(ms) / 1000), m, h, d, span;
	if (s < 5)
		return (ms < 0) ? _('just now') : _('now');
	if (s < 60)
		span = N_(s, '%d second', '%d seconds').format(s);
	else if ((m = Math.round(s / 60)) < 60)
		span = N_(m, '%d minute', '%d minutes').format(m);
	else if ((h = Math.round(s / 3600)) < 48)
		span = N_(h, '%d hour', '%d hours').format(h);
	else {
		d = Math.round(s / 86400);
		span = N_(d, '%d day', '%d days').format(d);
	}

	return (ms < 0) ? _('%s ago').format(span) : _('in %s').format(span);
}

// every theme styles .label and these variants; the text tells them apart too
var LABELS = { ok: 'success', rejected: 'important', error: 'warning', pending: 'notice' };

function badge(kind, text) {
	return E('span', { 'class': 'label updyn-badge' + (kind ? ' ' + kind : '') }, [ text ]);
}

function resultWord(r) {
	return { ok: _('ok'), rejected: _('refused by the provider'), error: _('error'), pending: _('waiting') }[r] || String(r);
}

// the daemon's short internal words, said the way a router owner would
var MESSAGES = {
	'rate limited': function() { return _('no updates left this hour') },
	'matched DNS': function() { return _('DNS already has this address') },
	'debounce': function() { return _('waiting for the address to settle') }
};

function message(text) {
	return (text && MESSAGES[text]) ? MESSAGES[text]() : text;
}

function sourceWord(service, source) {
	if (source == 'checkip')
		return _('from a web service');
	return service.device ? _('from %s').format(service.device) : _('from the interface');
}

return baseclass.extend({
	read: read,
	relative: relative,
	badge: badge,
	LABELS: LABELS,
	resultWord: resultWord,
	message: message,
	sourceWord: sourceWord,

	/** start, stop, restart, enable or disable the updyn service */
	init: function(action) {
		return callRcInit('updyn', action);
	},

	/** Records with no live daemon behind them, or a report older than an hour, are stale. */
	isStale: function(st, now) {
		var u = st.doc ? Date.parse(st.doc.updated_at) : NaN;
		if (L.isObject(st.service) && !(st.service instanceof Error) && st.service.running === false)
			return true;
		return st.doc != null && st.doc.running === false || (!isNaN(u) && now - u > 3600 * 1000);
	}
});
