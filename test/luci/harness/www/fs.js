'use strict';
'require rpc';
'require baseclass';
'require request';

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
	// through cgi-io (/cgi-bin/cgi-exec), as LuCI does: the command line with
	// white space and backslashes escaped, stdout as the body, 403/404 as errors
	exec_direct: function(command, params, type) {
		var esc = function(a) { return String(a).replace(/\\/g, '\\\\').replace(/(\s)/g, '\\$1') },
		    cmd = esc(command) + (Array.isArray(params) ? params.map(function(p) { return ' ' + esc(p) }).join('') : '');
		return request.post(L.env.cgi_base + '/cgi-exec', 'sessionid=%s&command=%s&stderr=0'.format(encodeURIComponent(L.env.sessionid), encodeURIComponent(cmd)),
			{ headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }).then(function(res) {
			if (!res.ok || res.status != 200) {
				var e = new Error(res.statusText);
				e.name = { 400: 'InvalidArgumentError', 403: 'PermissionError', 404: 'NotFoundError' }[res.status] || 'Error';
				throw e;
			}
			return (type == 'json') ? res.json() : res.text();
		});
	},
	trimmed: function(path) { return L.resolveDefault(this.read(path), '').then(function(s) { return s.trim() }) },
	lines: function(path) {
		return this.trimmed(path).then(function(s) { return s ? s.split(/\n/).map(function(l) { return l.trim() }) : [] });
	}
});
