'use strict';
'require ui';
'require form';
'require network';

// LuCI's tools/widgets.js NetworkSelect and DeviceSelect as the settings view
// uses them: ListValue subclasses that load network.getNetworks() /
// getDevices() first and render a ui.Dropdown of them. As in LuCI, a value
// NetworkSelect does not know is dropped (so the view must add it), one
// DeviceSelect does not know is kept as "absent interface" unless nocreate,
// loopback / 'lo' are left out, the '' choice exists when the option may be
// empty.

var CBINetworkSelect = form.ListValue.extend({
	__name__: 'CBI.NetworkSelect',
	load: function(section_id) {
		return network.getNetworks().then(L.bind(function(networks) {
			this.networks = networks;
			return this.super('load', [ section_id ]);
		}, this));
	},
	renderWidget: function(section_id, option_index, cfgvalue) {
		var v = L.toArray((cfgvalue != null) ? cfgvalue : this.default)[0], choices = {}, value = null;
		if (this.rmempty || this.optional)
			choices[''] = E('em', _('unspecified'));
		this.networks.forEach(function(n) {
			var name = n.getName();
			if (name == 'loopback' && !this.loopback)
				return;
			if (this.novirtual && n.isVirtual())
				return;
			if (name == v)
				value = name;
			choices[name] = E('span', { 'class': 'ifacebadge' }, [ name ]);
		}, this);
		return new ui.Dropdown(value, choices, { id: this.cbid(section_id), sort: true, optional: this.optional || this.rmempty,
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly, datatype: 'uciname',
			validate: L.bind(this.validate, this, section_id), create: !this.nocreate }).render();
	},
	textvalue: function(section_id) {
		var v = this.cfgvalue(section_id);
		return (v != null) ? '%h'.format(v) : E('em', _('unspecified'));
	}
});

var CBIDeviceSelect = form.ListValue.extend({
	__name__: 'CBI.DeviceSelect',
	load: function(section_id) {
		return network.getDevices().then(L.bind(function(devices) {
			this.devices = devices;
			return this.super('load', [ section_id ]);
		}, this));
	},
	renderWidget: function(section_id, option_index, cfgvalue) {
		var v = L.toArray((cfgvalue != null) ? cfgvalue : this.default)[0], choices = {}, order = [];
		if (this.rmempty || this.optional)
			choices[''] = E('em', _('unspecified'));
		this.devices.forEach(function(d) {
			var name = d.getName();
			if (name == 'lo' || (this.nobridges && d.getType() == 'bridge'))
				return;
			choices[name] = E('span', [ name ]);
			order.push(name);
		}, this);
		if (!this.nocreate && v && !choices.hasOwnProperty(v)) {
			choices[v] = E('span', [ v ]);
			order.push(v);
		}
		return new ui.Dropdown(v, choices, { id: this.cbid(section_id), sort: order, optional: this.optional || this.rmempty,
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly,
			validate: L.bind(this.validate, this, section_id), create: !this.nocreate }).render();
	}
});

return L.Class.extend({
	NetworkSelect: CBINetworkSelect,
	DeviceSelect: CBIDeviceSelect
});
