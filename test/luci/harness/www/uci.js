'use strict';
'require rpc';
'require baseclass';

// LuCI's uci class reduced to what form.Map needs: a local copy of each
// package (values) plus pending creates/changes/deletes, written back with
// rpcd's uci add/set/delete by save(), like the real one.

var callLoad = rpc.declare({ object: 'uci', method: 'get', params: [ 'config' ], expect: { values: {} }, reject: true }),
    callAdd = rpc.declare({ object: 'uci', method: 'add', params: [ 'config', 'type', 'name', 'values' ], expect: { section: '' }, reject: true }),
    callSet = rpc.declare({ object: 'uci', method: 'set', params: [ 'config', 'section', 'values' ], reject: true }),
    callDelete = rpc.declare({ object: 'uci', method: 'delete', params: [ 'config', 'section', 'options' ], reject: true }),
    callApply = rpc.declare({ object: 'uci', method: 'apply', params: [ 'timeout', 'rollback' ], reject: true });

return baseclass.extend({
	__init__: function() {
		this.state = { values: {}, creates: {}, changes: {}, deletes: {}, newidx: 0 };
	},

	load: function(packages) {
		var self = this, pkgs = L.toArray(packages).filter(function(p) { return !self.state.values[p] });
		return Promise.all(pkgs.map(function(p) { return callLoad(p) })).then(function(res) {
			res.forEach(function(v, i) { self.state.values[pkgs[i]] = v });
			return pkgs;
		});
	},

	unload: function(packages) {
		var st = this.state;
		L.toArray(packages).forEach(function(p) {
			delete st.values[p]; delete st.creates[p]; delete st.changes[p]; delete st.deletes[p];
		});
	},

	add: function(conf, type, name) {
		var sid = name || 'new%06x'.format(Math.random() * 0xFFFFFF);
		(this.state.creates[conf] = this.state.creates[conf] || {})[sid] =
			{ '.type': type, '.name': sid, '.create': name, '.anonymous': !name, '.index': 1000 + this.state.newidx++ };
		return sid;
	},

	remove: function(conf, sid) {
		var st = this.state;
		if (st.creates[conf] && st.creates[conf][sid])
			delete st.creates[conf][sid];
		else if (st.values[conf] && st.values[conf][sid]) {
			if (st.changes[conf])
				delete st.changes[conf][sid];
			(st.deletes[conf] = st.deletes[conf] || {})[sid] = true;
		}
	},

	sections: function(conf, type, cb) {
		var st = this.state, v = st.values[conf] || {}, n = st.creates[conf] || {}, c = st.changes[conf] || {},
		    d = st.deletes[conf] || {}, sa = [], s;
		for (s in v)
			if (d[s] !== true && (!type || v[s]['.type'] == type))
				sa.push(Object.assign({}, v[s], c[s]));
		for (s in n)
			if (!type || n[s]['.type'] == type)
				sa.push(Object.assign({}, n[s]));
		sa.sort(function(a, b) { return a['.index'] - b['.index'] });
		sa.forEach(function(x, i) { x['.index'] = i; if (typeof(cb) == 'function') cb.call(this, x, x['.name']) }, this);
		return sa;
	},

	resolveSID: function(conf, sid) {
		var m = (typeof(sid) == 'string') ? /^@([a-zA-Z0-9_-]+)\[(-?[0-9]+)\]$/.exec(sid) : null;
		if (!m)
			return sid;
		var sa = this.sections(conf, m[1]), s = sa[+m[2] >= 0 ? +m[2] : sa.length + +m[2]];
		return s ? s['.name'] : null;
	},

	get: function(conf, sid, opt) {
		var st = this.state, n = st.creates[conf], c = st.changes[conf], d = st.deletes[conf], v = st.values[conf];
		sid = this.resolveSID(conf, sid);
		if (sid == null)
			return null;
		if (n && n[sid])
			return (opt == null) ? n[sid] : n[sid][opt];
		if (d && d[sid] && (d[sid] === true || (opt != null && d[sid][opt])))
			return null;
		if (opt == null)
			return (v && v[sid]) ? Object.assign({}, v[sid], c && c[sid]) : null;
		if (c && c[sid] && c[sid][opt] != null)
			return c[sid][opt];
		return (v && v[sid]) ? v[sid][opt] : null;
	},

	set: function(conf, sid, opt, val) {
		var st = this.state, n = st.creates[conf], v = st.values[conf];
		sid = this.resolveSID(conf, sid);
		if (sid == null || opt == null || opt.charAt(0) == '.')
			return;
		if (n && n[sid]) {
			if (val != null) n[sid][opt] = val; else delete n[sid][opt];
			return;
		}
		if (!v || !v[sid] || (st.deletes[conf] && st.deletes[conf][sid] === true))
			return;
		if (val != null && val !== '') {
			if (st.deletes[conf] && st.deletes[conf][sid])
				delete st.deletes[conf][sid][opt];
			((st.changes[conf] = st.changes[conf] || {})[sid] = st.changes[conf][sid] || {})[opt] = val;
		}
		else {
			if (st.changes[conf] && st.changes[conf][sid])
				delete st.changes[conf][sid][opt];
			if (v[sid].hasOwnProperty(opt))
				((st.deletes[conf] = st.deletes[conf] || {})[sid] = st.deletes[conf][sid] || {})[opt] = true;
		}
	},

	unset: function(conf, sid, opt) { return this.set(conf, sid, opt, null) },

	save: function() {
		var st = this.state, tasks = [], pkgs = {}, conf, sid;
		for (conf in st.deletes)
			for (sid in st.deletes[conf])
				tasks.push(callDelete(conf, sid, (st.deletes[conf][sid] === true) ? null : Object.keys(st.deletes[conf][sid]))), pkgs[conf] = true;
		for (conf in st.creates)
			for (sid in st.creates[conf]) {
				var s = st.creates[conf][sid], values = {};
				for (var k in s)
					if (k.charAt(0) != '.')
						values[k] = s[k];
				tasks.push(callAdd(conf, s['.type'], s['.create'], values)), pkgs[conf] = true;
			}
		for (conf in st.changes)
			for (sid in st.changes[conf])
				tasks.push(callSet(conf, sid, st.changes[conf][sid])), pkgs[conf] = true;
		return Promise.all(tasks).then(L.bind(function() {
			this.unload(Object.keys(pkgs));
			return this.load(Object.keys(pkgs));
		}, this));
	},

	apply: function(timeout) {
		return callApply((typeof(timeout) == 'number' && timeout >= 1) ? timeout : 10, true);
	}
});
