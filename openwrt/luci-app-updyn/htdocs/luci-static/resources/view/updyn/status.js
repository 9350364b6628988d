'use strict';
'require view';
'require dom';
'require fs';
'require ui';
'require poll';
'require rpc';

// Is each name pointing at the current address, and if not, why and when will
// it be? Everything comes from status.json, which holds no secret, and never
// from the UCI package, so a user who may only look at status sees no token.

var STATUS_FILE = '/var/run/updyn/status.json';

// rpcd exec plugin (root/usr/libexec/rpcd/luci.updyn): is this pid alive?
// rpcd's file plugin cannot answer that without a glob over /proc.
var callRunning = rpc.declare({
	object: 'luci.updyn',
	method: 'running',
	params: [ 'pid' ],
	expect: { running: false }
});

// Text AND colour for every state: LuCI's default theme draws some label
// classes alike, so a class name alone would not tell them apart.
var COLOURS = {
	running: '#2e7d32', stopped: '#c62828', nostatus: '#616161', unknown: '#6d4c41',
	unreadable: '#ad1457', noservice: '#6a1b9a',
	ok: '#2e7d32', rejected: '#c62828', error: '#e65100', pending: '#1565c0'
};

function badge(state, text) {
	return E('span', {
		'class': 'updyn-badge updyn-' + state,
		'style': 'display:inline-block;padding:0 .5em;border-radius:3px;font-weight:bold;' +
			'color:#fff;background-color:' + COLOURS[state]
	}, [ text ]);
}

/** "5 min ago" / "in 2 h" relative to the browser's clock; null for no time. */
function relative(iso, now) {
	var t = (iso != null) ? Date.parse(iso) : NaN;
	if (isNaN(t))
		return null;

	var ms = t - now, s = Math.round(Math.abs(ms) / 1000), m, h, d, span;
	if (s < 5)
		return (ms < 0) ? _('just now') : _('now');
	if (s < 60)
		span = _('%d s').format(s);
	else if ((m = Math.round(s / 60)) < 60)
		span = _('%d min').format(m);
	else if ((h = Math.round(s / 3600)) < 48)
		span = _('%d h').format(h);
	else
		span = ((d = Math.round(s / 86400)) == 1) ? _('1 day') : _('%d days').format(d);

	return (ms < 0) ? _('%s ago').format(span) : _('in %s').format(span);
}

/** A cell holding a relative time, the exact time in its tooltip. */
function timeCell(title, iso, now, none, due) {
	var text = relative(iso, now);
	// an attempt whose time has come is due, not "2 s ago"
	if (due && text != null && Date.parse(iso) <= now)
		text = _('now');
	return E('td', { 'class': 'td', 'data-title': title, 'title': (text != null) ? iso : null },
		[ (text != null) ? text : none ]);
}

/** Reads status.json and asks whether its pid runs; never rejects. */
function readState() {
	return fs.read(STATUS_FILE).then(function(text) {
		var doc;
		try {
			doc = JSON.parse(text);
		}
		catch (e) {
			return { kind: 'unreadable', why: _('status.json is not valid JSON') };
		}
		if (!L.isObject(doc) || !Array.isArray(doc.services))
			return { kind: 'unreadable', why: _('status.json has no services list') };

		return callRunning(doc.pid).then(function(running) {
			return { kind: running ? 'running' : 'stopped', doc: doc };
		}, function(err) {
			return { kind: 'unknown', doc: doc, why: err.message };
		});
	}, function(err) {
		// rpcd answers a missing file with NotFoundError; anything else (say a
		// PermissionError from a missing ACL grant) must not pass for "not started"
		if (err.name == 'NotFoundError')
			return { kind: 'nostatus' };
		return { kind: 'unreadable', why: err.message };
	});
}

function daemonLine(st, now) {
	var d = st.doc, parts;

	switch (st.kind) {
	case 'nostatus':
		return [ badge('nostatus', _('no status yet')), ' ',
			_('%s does not exist: updyn has not run since the router started. Start it with "/etc/init.d/updyn enable; /etc/init.d/updyn start".').format(STATUS_FILE) ];
	case 'unreadable':
		return [ badge('unreadable', _('status unreadable')), ' ', _('Cannot read %s: %s').format(STATUS_FILE, st.why) ];
	}

	parts = [ 'updyn %s'.format(d.version), _('pid %d').format(d.pid) ];
	if (relative(d.started_at, now) != null)
		parts.push(_('started %s').format(relative(d.started_at, now)));
	if (relative(d.updated_at, now) != null)
		parts.push(_('status written %s').format(relative(d.updated_at, now)));
	if (d.detector)
		parts.push(_('addresses from %s').format(d.detector));

	switch (st.kind) {
	case 'running':
		return [ badge('running', _('running')), ' ', parts.join(' · ') ];
	case 'stopped':
		return [ badge('stopped', _('not running')), ' ',
			_('The process that wrote the status below has exited; it shows the last known state.'), ' ',
			parts.join(' · ') ];
	default:
		return [ badge('unknown', _('unknown')), ' ',
			_('Cannot tell whether updyn runs: %s').format(st.why), ' ', parts.join(' · ') ];
	}
}

var RESULTS = {
	ok: _('ok'), rejected: _('rejected'), error: _('trouble'), pending: _('pending')
};

function recordRow(service, r, now) {
	var current = (r.current != null)
		? [ r.current, E('br'), E('small', [ (r.source == 'interface')
			? (service.device ? _('interface %s').format(service.device) : _('interface'))
			: _('checkip') ]) ]
		: [ E('em', [ _('no address') ]) ];
	var result = [ badge(RESULTS[r.last_result] ? r.last_result : 'unknown', RESULTS[r.last_result] || String(r.last_result)) ];

	if (r.last_message)
		result.push(E('div', { 'class': 'updyn-message' }, [ r.last_message ]));

	return E('tr', { 'class': 'tr' }, [
		E('td', { 'class': 'td', 'data-title': _('Service') }, [ service.name ]),
		E('td', { 'class': 'td', 'data-title': _('Host') }, [ r.host ]),
		E('td', { 'class': 'td', 'data-title': _('Record') }, [ r.type ]),
		E('td', { 'class': 'td', 'data-title': _('Current address') }, current),
		E('td', { 'class': 'td', 'data-title': _('Registered'), 'title': r.registered_at }, [ (r.registered != null) ? r.registered : '—' ]),
		timeCell(_('Last update'), r.last_attempt_at, now, _('never')),
		E('td', { 'class': 'td', 'data-title': _('Result') }, result),
		timeCell(_('Next attempt'), r.next_attempt_at, now, '—', true),
		E('td', { 'class': 'td', 'data-title': _('Tokens'),
			'title': _('Requests allowed right now: one token each, one more every hour, at most 3') }, [ String(r.tokens) ])
	]);
}

function recordTable(st, now) {
	if (!st.doc)
		return E([]);

	if (st.doc.services.length == 0)
		return E('p', { 'class': 'updyn-noservice' }, [ badge('noservice', _('no service enabled')), ' ',
			_('updyn has nothing to update: enable a service under Settings.') ]);

	var rows = [ E('tr', { 'class': 'tr table-titles' }, [
		_('Service'), _('Host'), _('Record'), _('Current address'), _('Registered'),
		_('Last update'), _('Result'), _('Next attempt'), _('Tokens')
	].map(function(t) { return E('th', { 'class': 'th' }, [ t ]) })) ];

	st.doc.services.forEach(function(s) {
		if (!Array.isArray(s.records) || s.records.length == 0)
			rows.push(E('tr', { 'class': 'tr' }, [ E('td', { 'class': 'td' }, [ s.name ]),
				E('td', { 'class': 'td', 'colspan': 8 }, [ E('em', [ _('no records') ]) ]) ]));
		else
			s.records.forEach(function(r) { rows.push(recordRow(s, r, now)) });
	});

	return E('table', { 'class': 'table updyn-records' }, rows);
}

return view.extend({
	load: function() {
		return readState();
	},

	render: function(st) {
		this.box = E('div', { 'class': 'cbi-section' });
		this.note = '';
		this.update(st);

		poll.add(L.bind(function() {
			return readState().then(L.bind(this.update, this));
		}, this), 10);

		return E([], [
			E('h2', { 'name': 'content' }, [ _('Dynamic DNS (updyn)') ]),
			E('div', { 'class': 'cbi-map-descr' }, [
				_('Is each name pointing at this router\'s current address, and if not, why and when will it be.') ]),
			this.box
		]);
	},

	update: function(st) {
		var now = Date.now(),
		    // a signal to a process that is gone does nothing; a read-only user may not send one
		    off = (st.kind == 'stopped' || st.kind == 'nostatus' || st.kind == 'unreadable' ||
		           L.hasViewPermission() === false) ? '' : null;

		dom.content(this.box, [
			E('p', { 'class': 'updyn-daemon' }, daemonLine(st, now)),
			E('div', { 'class': 'updyn-actions' }, [
				E('button', { 'class': 'cbi-button cbi-button-action', 'disabled': off,
					'title': _('Re-read the addresses now (SIGUSR2)'),
					'click': ui.createHandlerFn(this, 'handleCheck') }, [ _('Check now') ]), ' ',
				E('button', { 'class': 'cbi-button cbi-button-apply', 'disabled': off,
					'title': _('Send every record to its provider now, even rejected ones (SIGUSR1)'),
					'click': ui.createHandlerFn(this, 'handleUpdate') }, [ _('Update now') ]), ' ',
				E('span', { 'class': 'updyn-action-note' }, [ this.note ])
			]),
			recordTable(st, now)
		]);
	},

	// one literal command line each: the ACL grants exactly these two
	handleCheck: function(ev) {
		return this.signal(fs.exec('/etc/init.d/updyn', [ 'check' ]), _('Asked updyn to check the addresses now.'));
	},

	handleUpdate: function(ev) {
		return this.signal(fs.exec('/etc/init.d/updyn', [ 'update' ]), _('Asked updyn to update every record now.'));
	},

	signal: function(exec, done) {
		return exec.then(L.bind(function(res) {
			if (res.code != 0)
				throw new Error(res.stderr || _('exit code %d').format(res.code));
			this.note = done;
		}, this)).catch(L.bind(function(err) {
			this.note = '';
			ui.addNotification(null, E('p', [ _('Could not signal updyn: %s').format(err.message) ]), 'error');
		}, this)).then(readState).then(L.bind(this.update, this));
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
