'use strict';
'require view';
'require form';
'require network';

// /etc/config/updyn through LuCI's form. Every option and default follows
// src/config/schema.ts; the checks below repeat its rules so that a value
// the daemon would refuse is refused here first.

// src/config/presets.ts (test/luci/acl.test.ts keeps the two lists equal)
var DYNDNS2_PRESETS = [ 'desec.io', 'dnsomatic.com', 'dyn.com', 'dynu.com', 'he.net', 'no-ip.com' ];

// the words OpenWrt's config_get_bool accepts, which the daemon accepts too
var TRUE_WORDS = [ '1', 'yes', 'on', 'true', 'enabled' ],
    FALSE_WORDS = [ '0', 'no', 'off', 'false', 'disabled' ];

// LuCI calls a validate function for empty fields too: empty means "not set"
function fqdn(section_id, value) {
	var labels = value.split('.');
	if (value === '')
		return true;
	if (value.length > 253)
		return _('A host name is at most 253 characters long');
	if (labels.length < 2)
		return _('Use a fully qualified name (like host.example.com)');
	for (var i = 0; i < labels.length; i++)
		if (labels[i].length > 63 || !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(labels[i]))
			return _('Each label between the dots: 1 to 63 letters, digits and inner hyphens');
	if (/^[0-9]+$/.test(labels[labels.length - 1]))
		return _('A host name does not end in a numeric label');
	return true;
}

function httpUrl(value) {
	var u;
	if (value === '')
		return true;
	if (/[\s\x00-\x1f\x7f]/.test(value))
		return _('A URL has no spaces or control characters');
	try {
		u = new URL(value);
	}
	catch (e) {
		return _('Not a valid URL');
	}
	if (u.protocol != 'http:' && u.protocol != 'https:')
		return _('Use an http:// or https:// URL');
	return (u.hostname != '') ? true : _('The URL has no host');
}

function absolutePath(section_id, value) {
	if (value === '')
		return true;
	if (value.charAt(0) != '/')
		return _('Use an absolute path (starting with /)');
	return /[\x00-\x1f\x7f]/.test(value) ? _('A path has no control characters') : true;
}

function isIPv4(s) {
	return /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/.test(s);
}

function isIPv6(s) {
	if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.indexOf(':') < 0)
		return false;
	try {
		return new URL('http://[' + s + ']/').hostname != '';
	}
	catch (e) {
		return false;
	}
}

function dnsServer(section_id, value) {
	var m = /^(?:\[([^\]]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(value);
	if (value === '' || isIPv4(value) || isIPv6(value))
		return true;
	if (!m || !(m[1] != null ? isIPv6(m[1]) : isIPv4(m[2])))
		return _('Use an IP address, IPv4:port or [IPv6]:port');
	return (+m[3] >= 1 && +m[3] <= 65535) ? true : _('A port is 1 to 65535');
}

/** A flag that reads every boolean word as the daemon does, so "yes" shows ticked. */
function flag(s, tab, name, title, description, def) {
	var o = s.taboption(tab, form.Flag, name, title, description);
	o.default = def;
	o.cfgvalue = function(section_id) {
		var v = form.Flag.prototype.cfgvalue.apply(this, arguments);
		return (TRUE_WORDS.indexOf(v) > -1) ? '1' : (FALSE_WORDS.indexOf(v) > -1) ? '0' : v;
	};
	return o;
}

/** A number the schema bounds; empty means the default, shown as placeholder. */
function seconds(s, name, title, min, max, def) {
	var o = s.taboption('advanced', form.Value, name, title, _('Seconds, %d to %d.').format(min, max));
	o.datatype = 'and(uinteger,range(%d,%d))'.format(min, max);
	o.placeholder = String(def);
	return o;
}

function url(s, tab, name, title, description) {
	var o = s.taboption(tab, form.Value, name, title, description);
	o.validate = function(section_id, value) { return httpUrl(value) };
	return o;
}

return view.extend({
	load: function() {
		// suggestions for "interface"; without the network ACL this is empty and the field is plain text
		return L.resolveDefault(network.getNetworks(), []);
	},

	render: function(networks) {
		var m, s, o;

		m = new form.Map('updyn', _('Dynamic DNS (updyn)'),
			_('Services, names and credentials for updyn. Changes take effect with "Save & Apply".'));

		s = m.section(form.NamedSection, 'global', 'updyn', _('Global settings'));
		s.addremove = true;

		o = s.option(form.ListValue, 'log_level', _('Log level'));
		[ 'debug', 'info', 'warn', 'error' ].forEach(function(v) { o.value(v) });
		o.default = 'info';

		o = s.option(form.ListValue, 'log_format', _('Log format'));
		o.value('text', _('text (syslog lines)'));
		o.value('json', _('json (one JSON object per line)'));
		o.default = 'text';

		o = s.option(form.Value, 'state_dir', _('State directory'),
			_('Holds state.json and status.json. This page reads /var/run/updyn/status.json, so keep the default to see the status.'));
		o.placeholder = '/var/run/updyn';
		o.validate = absolutePath;

		s = m.section(form.TypedSection, 'service', _('Services'),
			_('One section per provider account. The section name names the service in the status and the log.'));
		s.anonymous = false;
		s.addremove = true;
		s.tab('general', _('General'));
		s.tab('address', _('Address'));
		s.tab('advanced', _('Advanced'));

		// a half-written section must not start sending: off unless ticked, and
		// written out either way so that a reader of the file sees which it is
		o = flag(s, 'general', 'enabled', _('Enabled'), null, '0');
		o.rmempty = false;

		o = s.taboption('general', form.ListValue, 'protocol', _('Protocol'));
		o.value('zerigo', 'Zerigo');
		o.value('dyndns2', _('dyndns2 (DynDNS, No-IP, deSEC and others)'));
		o.value('custom', _('custom URL'));
		o.default = 'zerigo';

		o = s.taboption('general', form.ListValue, 'service_name', _('Provider'),
			_('Fills in the update URL and the checkip defaults.'));
		o.value('', _('none: give the update URL below'));
		DYNDNS2_PRESETS.forEach(function(v) { o.value(v) });
		o.depends('protocol', 'dyndns2');

		o = url(s, 'general', 'update_url', _('Update URL'),
			_('Empty: Zerigo\'s for zerigo, the provider\'s for dyndns2. For custom, [USERNAME] [PASSWORD] [DOMAIN] [IP] are replaced.'));
		// like the daemon, check a custom URL with its placeholders filled in
		o.validate = function(section_id, value) {
			var custom = this.section.formvalue(section_id, 'protocol') == 'custom';
			return httpUrl(custom ? value.replace(/\[(USERNAME|PASSWORD|DOMAIN|IP)\]/g, 'x') : value);
		};

		s.taboption('general', form.Value, 'username', _('Username'));

		o = s.taboption('general', form.Value, 'password', _('Password or token'));
		o.password = true;

		o = s.taboption('general', form.ListValue, 'auth', _('Send credentials'));
		o.value('', _('default (basic; none for custom)'));
		o.value('basic', _('basic: Authorization header'));
		o.value('query', _('query: user= and password= in the URL'));
		o.value('none', _('none'));

		o = s.taboption('general', form.DynamicList, 'host', _('Host names'));
		o.datatype = 'hostname';
		o.validate = fqdn;
		// one list item may hold several names separated by spaces, as the daemon reads it
		o.cfgvalue = function(section_id) {
			var v = form.DynamicList.prototype.cfgvalue.apply(this, arguments);
			return (v == null) ? v : L.toArray(L.toArray(v).join(' '));
		};

		o = s.taboption('general', form.Value, 'success_pattern', _('Success pattern'),
			_('A JavaScript regular expression a 2xx answer must match; empty accepts any 2xx.'));
		o.depends('protocol', 'custom');
		o.validate = function(section_id, value) {
			try {
				new RegExp(value);
				return true;
			}
			catch (e) {
				return _('Not a valid regular expression');
			}
		};

		o = s.taboption('address', form.Value, 'interface', _('Interface'),
			_('The OpenWrt interface whose address is published, like wan.'));
		networks.forEach(function(n) {
			if (n.getName() != 'loopback')
				o.value(n.getName());
		});
		o.validate = function(section_id, value) {
			return (value === '' || (value.length <= 64 && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value)))
				? true : _('Letters, digits, _ . and -');
		};

		o = s.taboption('address', form.Value, 'device', _('Device'),
			_('Or the Linux device itself (eth0, pppoe-wan).'));
		o.validate = function(section_id, value) {
			return (value === '' || (value.length <= 15 && value != '.' && value != '..' && !/[\/:\s]/.test(value)))
				? true : _('At most 15 characters, no / : or spaces');
		};

		flag(s, 'address', 'ipv4', _('Update A (IPv4)'), null, '1');
		flag(s, 'address', 'ipv6', _('Update AAAA (IPv6)'), null, '1');

		o = s.taboption('address', form.ListValue, 'ip_source', _('Address source'));
		o.value('auto', _('auto: the interface address if public, else checkip'));
		o.value('interface', _('interface'));
		o.value('checkip', _('checkip'));
		o.default = 'auto';

		url(s, 'address', 'checkip_url', _('checkip URL (both families)'), _('Empty: the provider\'s default.'));
		url(s, 'address', 'checkip4_url', _('checkip URL for IPv4'), _('Empty: the provider\'s default.'));
		url(s, 'address', 'checkip6_url', _('checkip URL for IPv6'), _('Empty: the provider\'s default.'));

		seconds(s, 'check_interval', _('Check interval'), 60, 86400, 300);
		seconds(s, 'force_interval', _('Forced refresh'), 3600, 28 * 86400, 86400);
		seconds(s, 'timeout', _('Request timeout'), 1, 60, 10);

		flag(s, 'advanced', 'verify_dns', _('Verify in DNS'),
			_('After a reboot, look a record up before sending; send nothing if DNS already holds the address.'), '0');

		o = s.taboption('advanced', form.Value, 'dns_server', _('DNS server'),
			_('IP, IPv4:port or [IPv6]:port; empty: the system\'s resolvers.'));
		o.depends('verify_dns', '1');
		o.validate = dnsServer;

		o = s.taboption('advanced', form.Value, 'cacert', _('CA certificates'),
			_('A PEM file to trust for HTTPS instead of the system\'s certificates.'));
		o.validate = absolutePath;

		return m.render();
	}
});
