'use strict';
'require rpc';
'require baseclass';

// The slice of LuCI's network class the widgets use. Like the real one it
// never rejects: without the network ACL the lists are simply empty.

var callDump = rpc.declare({ object: 'network.interface', method: 'dump', expect: { 'interface': [] } }),
    callDevices = rpc.declare({ object: 'luci-rpc', method: 'getNetworkDevices', expect: { '': {} } });

var Protocol = baseclass.extend({
	__init__: function(name) { this.sid = name },
	getName: function() { return this.sid },
	isBridge: function() { return false },
	isVirtual: function() { return false },
	getDevice: function() { return null }
});

var Device = baseclass.extend({
	__init__: function(name, type) { this.name = name; this.type = type },
	getName: function() { return this.name },
	getType: function() { return this.type },
	isUp: function() { return true },
	getI18n: function() { return this.name },
	getNetworks: function() { return [] }
});

return baseclass.extend({
	getNetworks: function() {
		return L.resolveDefault(callDump(), []).then(function(ifaces) {
			return ifaces.map(function(i) { return new Protocol(i['interface']) })
				.sort(function(a, b) { return L.naturalCompare(a.getName(), b.getName()) });
		});
	},
	getDevices: function() {
		return L.resolveDefault(callDevices(), {}).then(function(devs) {
			return Object.keys(devs).sort(L.naturalCompare).map(function(n) {
				return new Device(n, /^br-/.test(n) ? 'bridge' : 'ethernet');
			});
		});
	}
});
