'use strict';
'require view';
'require form';
'require tools.widgets as widgets';
'require updyn.protocols as protocols';

// /etc/config/updyn through LuCI's form: the services as a grid with a modal
// editor and an inline Enabled switch, like luci-app-ddns. Everything that
// depends on the protocol comes from updyn/protocols.js (one list, generated
// from src/providers); the checks below repeat src/config's rules so that a
// value the daemon would refuse is refused here first.

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

function regexp(section_id, value) {
	try {
		new RegExp(value);
		return true;
	}
	catch (e) {
		return _('Not a valid regular expression');
	}
}

/** A flag that reads every boolean word as the daemon does, so "yes" shows ticked. */
function flag(s, tab, name, title, description, def) {
	var o = s.taboption(tab, form.Flag, name, title, description);
	readsBooleanWords(o);
	o.default = def;
	return o;
}

function readsBooleanWords(o) {
	o.cfgvalue = function(section_id) {
		var v = form.Flag.prototype.cfgvalue.apply(this, arguments);
		return (TRUE_WORDS.indexOf(v) > -1) ? '1' : (FALSE_WORDS.indexOf(v) > -1) ? '0' : v;
	};
}

/** A number the schema bounds; empty means the default, shown as placeholder. */
function seconds(s, name, title, help, min, max, def) {
	var o = s.taboption('advanced', form.Value, name, title, help + ' ' + _('Seconds, %d to %d.').format(min, max));
	o.datatype = 'and(uinteger,range(%d,%d))'.format(min, max);
	o.placeholder = String(def);
	return o;
}

/** An option that only some protocols read: shown for exactly those. */
function forProtocols(o, names) {
	names.forEach(function(n) { o.depends('protocol', n) });
	return o;
}

/** A common option (username, password, update_url, auth) with each protocol's own words. */
function common(s, name, make) {
	protocols.protocols.forEach(function(p) {
		var use = p.uses[name];
		if (!use)
			return;
		// one form field per protocol, all on the same uci option; only the one
		// of the chosen protocol is shown, and LuCI writes only shown fields
		var o = make(use, p);
		o.depends('protocol', p.name);
		o.ucioption = name;
		// a hidden copy must not remove what the shown one writes
		o.retain = true;
	});
}

/**
 * For a NetworkSelect: keep an interface it does not know (no network ACL, or
 * one deleted since); LuCI's drops such a value, and saving would erase it.
 * Set on the option itself, not in a subclass: NetworkSelect.load calls
 * this.super() inside a promise, where LuCI's super stack is gone, so in a
 * subclass it would find NetworkSelect.load again and loop for ever.
 */
function keepUnknownNetwork(section_id, option_index, cfgvalue) {
	var value = L.toArray(cfgvalue)[0];
	if (value && !(this.networks || []).some(function(n) { return n.getName() == value }))
		this.networks = (this.networks || []).concat([ {
			getName: function() { return value }, isBridge: function() { return false },
			getDevice: function() { return null }, isVirtual: function() { return false }
		} ]);
	return widgets.NetworkSelect.prototype.renderWidget.apply(this, arguments);
}

return view.extend({
	render: function() {
		var m, s, o;

		m = new form.Map('updyn', _('Dynamic DNS (updyn)'),
			_('The names updyn keeps up to date and the accounts it uses. Changes take effect with "Save & Apply".'));

		s = m.section(form.NamedSection, 'global', 'updyn', _('Global settings'));

		o = s.option(form.ListValue, 'log_level', _('Log detail'),
			_('How much updyn writes to the system log (see the Log tab).'));
		o.value('debug', _('everything (for finding a problem)'));
		o.value('info', _('every update'));
		o.value('warn', _('warnings and errors'));
		o.value('error', _('errors only'));
		o.default = 'info';

		o = s.option(form.ListValue, 'log_format', _('Log format'),
			_('Plain lines suit logread; JSON suits a program that reads the log.'));
		o.value('text', _('plain lines'));
		o.value('json', _('JSON, one object per line'));
		o.default = 'text';

		o = s.option(form.Value, 'state_dir', _('State directory'),
			_('Where updyn keeps what it last sent and its status. The default is in RAM, which spares the flash.'));
		o.placeholder = '/var/run/updyn';
		o.validate = absolutePath;

		s = m.section(form.GridSection, 'service', _('Services'),
			_('One line per account at a provider. The name of a service names it on the status page and in the log.'));
		s.anonymous = false;
		s.addremove = true;
		s.addbtntitle = _('Add service');
		s.tab('general', _('Account'));
		s.tab('address', _('Address'));
		s.tab('advanced', _('Advanced'));

		// in the grid: what each row is, and the switch
		o = s.option(form.Flag, 'enabled', _('Enabled'));
		readsBooleanWords(o);
		o.editable = true;
		// a half-written section must not start sending: off unless ticked, and
		// written out either way so that a reader of the file sees which it is
		o.rmempty = false;
		o.modalonly = false;

		o = s.option(form.DummyValue, '_protocol', _('Provider'));
		o.modalonly = false;
		o.textvalue = function(section_id) {
			var p = protocols.get(this.map.data.get('updyn', section_id, 'protocol') || 'zerigo'),
			    preset = this.map.data.get('updyn', section_id, 'service_name');
			// a text value is markup to LuCI's grid: escape (%h)
			return p ? (preset ? '%h (%h)'.format(p.title, preset) : '%h'.format(p.title)) : _('unknown');
		};

		o = s.option(form.DummyValue, '_host', _('Names'));
		o.modalonly = false;
		o.textvalue = function(section_id) {
			return '%h'.format(L.toArray(this.map.data.get('updyn', section_id, 'host')).join(', ')) || _('none yet');
		};

		// in the modal: every option, with a help text each
		o = flag(s, 'general', 'enabled', _('Enabled'), _('Off: updyn leaves this service alone.'), '0');
		o.rmempty = false;
		o.modalonly = true;

		o = s.taboption('general', form.ListValue, 'protocol', _('Provider type'),
			_('How updyn talks to the provider. Pick the provider below if it is listed.'));
		protocols.protocols.forEach(function(p) { o.value(p.name, p.title) });
		o.default = 'zerigo';
		o.modalonly = true;

		protocols.protocols.forEach(function(p) {
			if (!p.presets.length)
				return;
			o = s.taboption('general', form.ListValue, 'service_name_' + p.name, _('Provider'),
				_('Fills in the update address and the rest; "other" for one not listed.'));
			o.ucioption = 'service_name';
			o.retain = true;
			o.value('', _('other: give the update URL'));
			p.presets.forEach(function(preset) { o.value(preset.name) });
			o.depends('protocol', p.name);
			o.modalonly = true;
		});

		common(s, 'update_url', function(use, p) {
			var o = s.taboption('general', form.Value, 'update_url_' + p.name, use.title, use.help);
			o.placeholder = p.defaults.update_url;
			// like the daemon, check a URL template with its placeholders filled in
			o.validate = function(section_id, value) {
				return httpUrl(value.replace(/\[(USERNAME|PASSWORD|DOMAIN|IP|IPV4|IPV6)\]/g, 'x'));
			};
			o.modalonly = true;
			return o;
		});

		common(s, 'username', function(use, p) {
			var o = s.taboption('general', form.Value, 'username_' + p.name, use.title, use.help);
			o.modalonly = true;
			return o;
		});

		common(s, 'password', function(use, p) {
			var o = s.taboption('general', form.Value, 'password_' + p.name, use.title, use.help);
			o.password = true;
			o.modalonly = true;
			return o;
		});

		common(s, 'auth', function(use, p) {
			var o = s.taboption('advanced', form.ListValue, 'auth_' + p.name, use.title, use.help);
			use.values.forEach(function(v) { o.value(v.value, v.title) });
			o.default = p.defaults.auth;
			o.modalonly = true;
			return o;
		});

		o = s.taboption('general', form.DynamicList, 'host', _('Host names'),
			_('The names to keep pointing at this router, like home.example.com; one per line.'));
		o.datatype = 'hostname';
		o.validate = fqdn;
		o.modalonly = true;
		// one list item may hold several names separated by spaces, as the daemon reads it
		o.cfgvalue = function(section_id) {
			var v = form.DynamicList.prototype.cfgvalue.apply(this, arguments);
			return (v == null) ? v : L.toArray(L.toArray(v).join(' '));
		};

		// each protocol's own options, as protocols.js describes them
		var own = {};
		protocols.protocols.forEach(function(p) {
			p.options.forEach(function(spec) {
				var key = spec.name + '_' + p.name, o;
				if (spec.type == 'boolean') {
					o = s.taboption('general', form.Flag, key, spec.title, spec.help);
					readsBooleanWords(o);
					o.default = spec.default ? '1' : '0';
				}
				else if (spec.type == 'select') {
					o = s.taboption('general', form.ListValue, key, spec.title, spec.help);
					spec.values.forEach(function(v) { o.value(v.value, v.title) });
					o.default = spec.default;
				}
				else {
					o = s.taboption('general', (spec.type == 'list') ? form.DynamicList : form.Value, key, spec.title, spec.help);
					o.placeholder = spec.placeholder;
					if (spec.type == 'integer')
						o.datatype = 'uinteger';
					if (spec.secret)
						o.password = true;
				}
				if (spec.name == 'success_pattern')
					o.validate = regexp;
				if (spec.name == 'dns_server')
					o.validate = dnsServer;
				o.ucioption = spec.name;
				o.retain = true;
				o.depends('protocol', p.name);
				o.modalonly = true;
				own[spec.name] = true;
			});
		});

		o = s.taboption('address', widgets.NetworkSelect, 'interface', _('Interface'),
			_('The router\'s connection to the internet whose address the names get, usually wan.'));
		o.nocreate = false;
		o.renderWidget = keepUnknownNetwork;
		o.modalonly = true;

		o = s.taboption('address', widgets.DeviceSelect, 'device', _('Device'),
			_('Only if there is no interface to name: the Linux device itself, like eth0 or pppoe-wan.'));
		o.noaliases = true;
		o.modalonly = true;
		o.validate = function(section_id, value) {
			return (value === '' || (value.length <= 15 && value != '.' && value != '..' && !/[\/:\s]/.test(value)))
				? true : _('At most 15 characters, no / : or spaces');
		};

		flag(s, 'address', 'ipv4', _('Keep the IPv4 name (A)'), _('Publish the router\'s IPv4 address.'), '1').modalonly = true;
		flag(s, 'address', 'ipv6', _('Keep the IPv6 name (AAAA)'), _('Publish the router\'s IPv6 address.'), '1').modalonly = true;

		o = s.taboption('address', form.ListValue, 'ip_source', _('Where the address comes from'),
			_('Behind another router the interface has a private address; then only a web service can tell the public one.'));
		o.value('auto', _('the interface, or a web service when its address is private'));
		o.value('interface', _('always the interface'));
		o.value('checkip', _('always a web service'));
		o.default = 'auto';
		o.modalonly = true;

		[ [ 'checkip_url', _('Address web service (both families)') ],
		  [ 'checkip4_url', _('Address web service for IPv4') ],
		  [ 'checkip6_url', _('Address web service for IPv6') ] ].forEach(function(c) {
			o = s.taboption('address', form.Value, c[0], c[1], _('A web page that answers with the address it sees; empty: the provider\'s own.'));
			o.validate = function(section_id, value) { return httpUrl(value) };
			o.modalonly = true;
		});

		seconds(s, 'check_interval', _('Ask the web service every'), _('Only behind another router.'), 60, 86400, 300).modalonly = true;
		seconds(s, 'force_interval', _('Send again anyway after'), _('Providers forget names that are never updated.'), 3600, 28 * 86400, 86400).modalonly = true;
		seconds(s, 'timeout', _('Give up a request after'), _('How long to wait for the provider.'), 1, 60, 10).modalonly = true;

		o = flag(s, 'advanced', 'verify_dns', _('Look the name up first'),
			_('After a reboot, ask DNS before sending; send nothing if DNS already has the address.'), '0');
		o.modalonly = true;

		if (!own.dns_server) {
			o = s.taboption('advanced', form.Value, 'dns_server', _('DNS server'), _('Asked for the look-up: IP, IPv4:port or [IPv6]:port; empty: the router\'s own.'));
			o.depends('verify_dns', '1');
			o.validate = dnsServer;
			o.modalonly = true;
		}

		o = s.taboption('advanced', form.Value, 'cacert', _('CA certificates'),
			_('A PEM file to trust for HTTPS instead of the system\'s certificates.'));
		o.validate = absolutePath;
		o.modalonly = true;

		return m.render();
	}
});
