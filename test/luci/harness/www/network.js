'use strict';
'require rpc';
'require baseclass';

// The slice of LuCI's network class the settings view uses. Like the real one
// it never rejects: without the network ACL the list is simply empty.

var callDump = rpc.declare({ object: 'network.interface', method: 'dump', expect: { 'interface': [] } });

var Protocol = baseclass.extend({
	__init__: function(name) { this.sid = name },
	getName: function() { return this.sid }
});

return baseclass.extend({
	getNetworks: function() {
		return L.resolveDefault(callDump(), []).then(function(ifaces) {
			return ifaces.map(function(i) { return new Protocol(i['interface']) })
				.sort(function(a, b) { return L.naturalCompare(a.getName(), b.getName()) });
		});
	}
});
