'use strict';
'require baseclass';
'require request';

// rpc.declare() as LuCI has it: a function that posts one ubus "call" as
// JSON-RPC and resolves with the reply, shaped by `expect` and `filter`.
// No batching: the test server answers one request at a time.

var requestId = 1;

return baseclass.extend({
	declare: function(options) {
		var self = this;
		return function() {
			var args = Array.prototype.slice.call(arguments), params = {}, i;
			for (i = 0; Array.isArray(options.params) && i < options.params.length; i++)
				params[options.params[i]] = args[i];
			var priv = [ undefined, undefined ].concat(args.slice(i));
			var msg = { jsonrpc: '2.0', id: requestId++, method: 'call',
				params: [ L.env.sessionid, options.object, options.method, params ] };

			return request.post('/ubus', msg).then(function(res) {
				var reply = res.json(), ret;
				if (L.isObject(reply.error))
					L.raise('RPCError', 'RPC call to %s/%s failed with error %d: %s',
						options.object, options.method, reply.error.code, reply.error.message);
				if (options.reject && reply.result[0] !== 0)
					L.raise('RPCError', 'RPC call to %s/%s failed with ubus code %d: %s',
						options.object, options.method, reply.result[0], self.getStatusText(reply.result[0]));
				ret = (reply.result.length > 1) ? reply.result[1] : reply.result[0];
				for (var key in options.expect || {}) {
					if (ret != null && key != '')
						ret = ret[key];
					if (ret == null || Object.prototype.toString.call(ret) != Object.prototype.toString.call(options.expect[key]))
						ret = options.expect[key];
					break;
				}
				if (typeof(options.filter) == 'function') {
					priv[0] = ret;
					priv[1] = params;
					ret = options.filter.apply(self, priv);
				}
				return ret;
			});
		};
	},

	getSessionID: function() { return L.env.sessionid },

	getStatusText: function(code) {
		return [ 'Command OK', 'Invalid command', 'Invalid argument', 'Method not found', 'Resource not found',
			'No data received', 'Permission denied', 'Request timeout', 'Not supported', 'Unspecified error',
			'Connection lost' ][code] || 'Unknown error code';
	}
});
