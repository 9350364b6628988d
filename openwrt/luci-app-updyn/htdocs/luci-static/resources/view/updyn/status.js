'use strict';
'require view';
'require dom';
'require fs';
'require ui';
'require poll';
'require updyn.status as status';

// Does each name point at this router's current address, and if not, why and
// when will it? From `updyn status --json` and rpcd's `rc list`, never from the
// uci package (see updyn/status.js): a user who may only look sees no token.

// `updyn status` starts node on the router: every 15 s is enough for a page
// whose numbers change by the minute
var POLL_SECONDS = 15;

function daemonLine(st, now) {
	var svc = st.service, d = st.doc, parts = [], words;

	if (svc instanceof Error)
		words = [ status.badge(null, _('unknown')), ' ', _('Cannot tell whether updyn runs: %s').format(svc.message) ];
	else if (svc == null)
		words = [ status.badge('important', _('not installed')), ' ', _('There is no /etc/init.d/updyn on this router.') ];
	else if (svc.running)
		words = [ status.badge('success', _('running')) ];
	else
		words = [ status.badge('important', _('not running')), ' ', _('updyn is not running, so no name is being updated.') ];

	if (L.isObject(svc) && !(svc instanceof Error))
		words.push(' ', svc.enabled ? _('Starts when the router starts.') : _('Does not start when the router starts.'));

	if (d) {
		parts.push('updyn %s'.format(d.version));
		if (status.relative(d.started_at, now) != null && svc && svc.running)
			parts.push(_('started %s').format(status.relative(d.started_at, now)));
		if (status.relative(d.updated_at, now) != null)
			parts.push(_('status from %s').format(status.relative(d.updated_at, now)));
		if (d.detector == 'netlink')
			parts.push(_('hears of address changes at once'));
		else if (d.detector)
			parts.push(_('looks for address changes every 30 seconds'));
		words.push(' ', E('span', { 'class': 'updyn-facts' }, [ parts.join(' · ') ]));
	}
	return words;
}

function recordRow(service, r, now, stale) {
	var current = (r.current != null)
		? [ r.current, E('br'), E('small', [ status.sourceWord(service, r.source) ]) ]
		: [ E('em', [ _('no address') ]) ];
	var kind = stale ? null : (status.LABELS[r.last_result] || null),
	    result = [ status.badge(kind, status.resultWord(r.last_result)) ],
	    text = status.message(r.last_message),
	    left = Math.max(0, Math.floor(+r.tokens || 0));

	if (text)
		result.push(E('div', { 'class': 'updyn-message' }, [ text ]));
	if (stale && status.relative(r.last_attempt_at, now) != null)
		result.push(E('div', { 'class': 'updyn-age' }, [ _('as of %s').format(status.relative(r.last_attempt_at, now)) ]));

	return E('tr', { 'class': 'tr' + (stale ? ' updyn-stale' : '') }, [
		E('td', { 'class': 'td', 'data-title': _('Service') }, [ service.name ]),
		E('td', { 'class': 'td', 'data-title': _('Name') }, [ r.host, ' ', E('small', [ (r.type == 'AAAA') ? 'IPv6' : 'IPv4' ]) ]),
		E('td', { 'class': 'td', 'data-title': _('Address now') }, current),
		E('td', { 'class': 'td', 'data-title': _('Address in DNS'), 'title': r.registered_at }, [ (r.registered != null) ? r.registered : '—' ]),
		timeCell(_('Last update'), r.last_attempt_at, now, _('never')),
		E('td', { 'class': 'td', 'data-title': _('Result') }, result),
		timeCell(_('Next try'), r.next_attempt_at, now, '—', true),
		E('td', { 'class': 'td', 'data-title': _('Updates left this hour'),
			'title': _('updyn sends at most 3 updates in a row, then one more each hour') },
			[ N_(left, '%d update', '%d updates').format(left) ])
	]);
}

function timeCell(title, iso, now, none, due) {
	var text = status.relative(iso, now);
	if (due && text != null && Date.parse(iso) <= now)
		text = _('now');
	return E('td', { 'class': 'td', 'data-title': title, 'title': (text != null) ? iso : null }, [ (text != null) ? text : none ]);
}

function recordTable(st, now) {
	var stale = status.isStale(st, now), rows;

	if (!st.doc)
		return (st.why == 'nostatus')
			? E('p', { 'class': 'updyn-nostatus' }, [ _('updyn has not reported anything since the router started.') ])
			: E('p', { 'class': 'updyn-unreadable' }, [ status.badge(null, _('no status')), ' ', _('Cannot read the status: %s').format(st.detail) ]);

	if (st.doc.services.length == 0)
		return E('p', { 'class': 'updyn-noservice' }, [ status.badge(null, _('nothing to do')), ' ',
			_('No service is switched on: turn one on under Settings.') ]);

	rows = [ E('tr', { 'class': 'tr table-titles' }, [
		_('Service'), _('Name'), _('Address now'), _('Address in DNS'), _('Last update'), _('Result'), _('Next try'), _('Updates left this hour')
	].map(function(t) { return E('th', { 'class': 'th' }, [ t ]) })) ];

	st.doc.services.forEach(function(s) {
		if (!Array.isArray(s.records) || s.records.length == 0)
			rows.push(E('tr', { 'class': 'tr' }, [ E('td', { 'class': 'td' }, [ s.name ]),
				E('td', { 'class': 'td', 'colspan': 7 }, [ E('em', [ _('no names') ]) ]) ]));
		else
			s.records.forEach(function(r) { rows.push(recordRow(s, r, now, stale)) });
	});

	return E('table', { 'class': 'table updyn-records' }, rows);
}

return view.extend({
	load: function() {
		return status.read();
	},

	render: function(st) {
		this.box = E('div', { 'class': 'cbi-section' });
		this.note = '';
		this.update(st);

		poll.add(L.bind(function() {
			return status.read().then(L.bind(this.update, this));
		}, this), POLL_SECONDS);

		return E([], [
			E('h2', { 'name': 'content' }, [ _('Dynamic DNS (updyn)') ]),
			E('div', { 'class': 'cbi-map-descr' }, [
				_('Whether each name points at this router\'s current address, and when updyn updates it next.') ]),
			this.box
		]);
	},

	button: function(action, label, style, enabled) {
		return E('button', { 'class': 'cbi-button ' + style, 'data-action': action, 'disabled': enabled ? null : '',
			'click': ui.createHandlerFn(this, 'handleAction', action) }, [ label ]);
	},

	update: function(st) {
		var now = Date.now(), svc = st.service,
		    known = L.isObject(svc) && !(svc instanceof Error),
		    may = L.hasViewPermission() !== false,
		    up = known && svc.running;

		dom.content(this.box, [
			E('p', { 'class': 'updyn-daemon' }, daemonLine(st, now)),
			E('div', { 'class': 'updyn-actions' }, [
				this.button(up ? 'restart' : 'start', up ? _('Restart') : _('Start'), 'cbi-button-apply', may && known), ' ',
				this.button('stop', _('Stop'), 'cbi-button-reset', may && up), ' ',
				this.button(known && svc.enabled ? 'disable' : 'enable',
					known && svc.enabled ? _('Do not start at boot') : _('Start at boot'), 'cbi-button-action', may && known), ' ',
				this.button('check', _('Check addresses now'), 'cbi-button-action', may && up), ' ',
				this.button('update', _('Update all now'), 'cbi-button-action', may && up), ' ',
				E('span', { 'class': 'updyn-action-note' }, [ this.note ])
			]),
			recordTable(st, now)
		]);
	},

	handleAction: function(action, ev) {
		var done = {
			start: _('Started updyn.'), stop: _('Stopped updyn.'), restart: _('Restarted updyn.'),
			enable: _('updyn now starts with the router.'), disable: _('updyn no longer starts with the router.'),
			check: _('Asked updyn to check the addresses now.'), update: _('Asked updyn to update every name now.')
		}[action];
		// check and update are signals through the init script, one exact command line each
		var exited = function(res) {
			if (res.code != 0)
				throw new Error(res.stderr || _('exit code %d').format(res.code));
		};
		var call = (action == 'check') ? fs.exec('/etc/init.d/updyn', [ 'check' ]).then(exited)
			: (action == 'update') ? fs.exec('/etc/init.d/updyn', [ 'update' ]).then(exited)
			: status.init(action);

		return call.then(L.bind(function() {
			this.note = done;
		}, this)).catch(L.bind(function(err) {
			this.note = '';
			ui.addNotification(null, E('p', [ _('Could not do that: %s').format(err.message) ]), 'error');
		}, this)).then(status.read).then(L.bind(this.update, this));
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
