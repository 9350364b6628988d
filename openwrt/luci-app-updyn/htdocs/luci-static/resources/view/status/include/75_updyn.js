'use strict';
'require baseclass';
'require updyn.status as status';

// Status → Overview: one line per name. `updyn status` starts node on the
// router, and the overview refreshes every few seconds, so the answer is kept
// for 30 s.

var cache = null, cachedAt = 0;

return baseclass.extend({
	title: _('Dynamic DNS (updyn)'),

	load: function() {
		if (cache && Date.now() - cachedAt < 30000)
			return Promise.resolve(cache);
		return status.read().then(function(st) {
			cache = st;
			cachedAt = Date.now();
			return st;
		});
	},

	render: function(st) {
		var now = Date.now(), stale = status.isStale(st, now), rows = [];

		if (!st.doc || !st.doc.services.length)
			return E('p', { 'class': 'updyn-overview' }, [ (st.service && st.service.running === false) ? _('updyn is not running.') : _('No name to show.') ]);

		st.doc.services.forEach(function(s) {
			(s.records || []).forEach(function(r) {
				rows.push(E('tr', { 'class': 'tr' + (stale ? ' updyn-stale' : '') }, [
					E('td', { 'class': 'td' }, [ '%s (%s)'.format(r.host, r.type == 'AAAA' ? 'IPv6' : 'IPv4') ]),
					E('td', { 'class': 'td' }, [ status.badge(stale ? null : status.LABELS[r.last_result], status.resultWord(r.last_result)) ]),
					E('td', { 'class': 'td' }, [ r.registered || '—' ])
				]));
			});
		});

		return E('table', { 'class': 'table updyn-overview' }, rows);
	}
});
