'use strict';
'require rpc';
'require baseclass';

// LuCI's fs class over rpcd's "file" object: a numeric ubus status becomes an
// Error named like LuCI's (NotFoundError, PermissionError, ...).

var callRead = rpc.declare({ object: 'file', method: 'read', params: [ 'path' ] }),
    callStat = rpc.declare({ object: 'file', method: 'stat', params: [ 'path' ] }),
    callList = rpc.declare({ object: 'file', method: 'list', params: [ 'path' ] }),
    callWrite = rpc.declare({ object: 'file', method: 'write', params: [ 'path', 'data', 'mode' ] }),
    callRemove = rpc.declare({ object: 'file', method: 'remove', params: [ 'path' ] }),
    callExec = rpc.declare({ object: 'file', method: 'exec', params: [ 'command', 'params', 'env' ] });

var names = [ null, 'InvalidCommandError', 'InvalidArgumentError', 'MethodNotFoundError', 'NotFoundError',
	'NoDataError', 'PermissionError', 'TimeoutError', 'UnsupportedError' ];

function reply(expect, rc) {
	if (typeof(rc) == 'number' && rc != 0) {
		var e = new Error(rpc.getStatusText(rc));
		e.name = names[rc] || 'Error';
		throw e;
	}
	for (var key in expect) {
		if (rc != null && key != '')
			rc = rc[key];
		if (rc == null || Object.prototype.toString.call(rc) != Object.prototype.toString.call(expect[key])) {
			var t = new Error('Unexpected reply data format');
			t.name = 'TypeError';
			throw t;
		}
		break;
	}
	return rc;
}

return baseclass.extend({
	read: function(path) { return callRead(path).then(reply.bind(this, { data: '' })) },
	stat: function(path) { return callStat(path).then(reply.bind(this, { '': {} })) },
	list: function(path) { return callList(path).then(reply.bind(this, { entries: [] })) },
	write: function(path, data, mode) {
		return callWrite(path, (data != null) ? String(data) : '', (mode != null) ? mode : 420).then(reply.bind(this, { '': 0 }));
	},
	remove: function(path) { return callRemove(path).then(reply.bind(this, { '': 0 })) },
	exec: function(command, params, env) {
		return callExec(command, Array.isArray(params) ? params : null, L.isObject(env) ? env : null)
			.then(reply.bind(this, { '': {} }));
	},
	trimmed: function(path) { return L.resolveDefault(this.read(path), '').then(function(s) { return s.trim() }) },
	lines: function(path) {
		return this.trimmed(path).then(function(s) { return s ? s.split(/\n/).map(function(l) { return l.trim() }) : [] });
	}
});
