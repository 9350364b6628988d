'use strict';
'require view';
'require dom';
'require fs';
'require poll';

// updyn's lines from the system log, oldest first and newest last, as
// logread prints them. Every line is text: a provider's answer quoted in a
// message never becomes markup. One exact command line in the ACL.

function readLog() {
	return fs.exec_direct('/sbin/logread', [ '-e', 'updyn' ]).then(function(text) {
		return { lines: text.split('\n').filter(function(l) { return l !== '' }) };
	}, function(err) {
		return { error: err.message };
	});
}

return view.extend({
	load: function() {
		return readLog();
	},

	render: function(log) {
		this.box = E('div', { 'class': 'cbi-section' });
		this.update(log);
		poll.add(L.bind(function() { return readLog().then(L.bind(this.update, this)) }, this), 10);
		return E([], [
			E('h2', { 'name': 'content' }, [ _('Dynamic DNS (updyn): log') ]),
			E('div', { 'class': 'cbi-map-descr' }, [ _('What updyn wrote to the system log, newest at the bottom.') ]),
			this.box
		]);
	},

	update: function(log) {
		var pre;
		if (log.error)
			return dom.content(this.box, E('p', { 'class': 'updyn-log-error' }, [ _('Cannot read the log: %s').format(log.error) ]));
		if (!log.lines.length)
			return dom.content(this.box, E('p', { 'class': 'updyn-log-empty' }, [ _('updyn has not written to the log since the router started.') ]));
		pre = E('pre', { 'class': 'updyn-log' });
		// a text node, never markup
		pre.textContent = log.lines.join('\n');
		dom.content(this.box, [
			E('p', {}, [ N_(log.lines.length, '%d line', '%d lines').format(log.lines.length) ]),
			pre
		]);
		pre.scrollTop = pre.scrollHeight;
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
