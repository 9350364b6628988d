'use strict';
'require ui';
'require uci';
'require rpc';
'require dom';
'require baseclass';

// The parts of LuCI's form class the settings view uses: Map, NamedSection,
// TypedSection, Value, ListValue, Flag, DynamicList with tabs, depends(),
// datatype/validate, rmempty/optional and the save path through uci. Method
// names, constructor arguments and the DOM ids ("cbid.<config>.<sid>.<option>")
// are LuCI's, so a view written against the real class runs unchanged here.

var callSessionAccess = rpc.declare({
	object: 'session', method: 'access', params: [ 'scope', 'object', 'function' ], expect: { access: false }
});

var AbstractElement = baseclass.extend({
	__init__: function(title, description) {
		this.title = title || '';
		this.description = description || '';
		this.children = [];
	},
	append: function(obj) { this.children.push(obj) },
	loadChildren: function() {
		var args = arguments;
		return Promise.all(this.children.map(function(c) { return c.load.apply(c, args) }));
	},
	renderChildren: function(tab_name) {
		var args = this.varargs(arguments, 1), i = 0;
		return Promise.all(this.children.filter(function(c) { return tab_name == null || c.tab == tab_name })
			.map(function(c) { return c.render.apply(c, [ i++ ].concat(args)) }));
	},
	stripTags: function(s) { return String(s || '').replace(/<[^>]*>/g, '') }
});

var CBIMap = AbstractElement.extend({
	__init__: function(config) {
		this.super('__init__', this.varargs(arguments, 1));
		this.config = config;
		this.data = uci;
	},
	section: function(cls) {
		var obj = cls.instantiate(this.varargs(arguments, 1, this));
		this.append(obj);
		return obj;
	},
	load: function() {
		return Promise.all([
			(this.readonly == null) ? callSessionAccess('uci', this.config, 'write') : !this.readonly,
			this.data.load(this.config)
		]).then(L.bind(function(res) {
			if (res[0] === false)
				this.readonly = true;
			return this.loadChildren();
		}, this));
	},
	parse: function() { return Promise.all(this.children.map(function(c) { return c.parse() })) },
	save: function(cb, silent) {
		this.checkDepends();
		return this.parse().then(cb).then(this.data.save.bind(this.data)).then(this.load.bind(this))
			.catch(function(e) {
				if (!silent)
					ui.showModal(_('Save error'), [ E('p', {}, [ e.message ]) ]);
				return Promise.reject(e);
			}).then(this.renderContents.bind(this));
	},
	reset: function() { return this.renderContents() },
	render: function() { return this.load().then(this.renderContents.bind(this)) },
	renderContents: function() {
		var root = this.root || (this.root = E('div', { 'id': 'cbi-' + this.config, 'class': 'cbi-map' }));
		dom.bindClassInstance(root, this);
		return this.renderChildren(null).then(L.bind(function(nodes) {
			dom.content(root, null);
			if (this.title)
				root.appendChild(E('h2', { 'name': 'content' }, [ this.title ]));
			if (this.description)
				root.appendChild(E('div', { 'class': 'cbi-map-descr' }, [ this.description ]));
			dom.append(root, nodes);
			this.checkDepends();
			root.querySelectorAll('.cbi-section-node-tabbed').forEach(function(g) { ui.tabs.initTabGroup(g.childNodes) });
			return root;
		}, this));
	},
	findElement: function(attr, value) {
		return this.root ? this.root.querySelector('[%s="%s"]'.format(attr, value)) : null;
	},
	checkDepends: function() {
		for (var n = 0; n < 10 && this.children.some(function(s) { return s.checkDepends() }); n++) { }
	}
});

var CBIAbstractSection = AbstractElement.extend({
	__init__: function(map, sectionType) {
		this.super('__init__', this.varargs(arguments, 2));
		this.sectiontype = sectionType;
		this.map = map;
		this.config = map.config;
		this.addremove = false;
	},
	tab: function(name, title, description) {
		this.tabs = this.tabs || [];
		this.tabs.push({ name: name, title: title, description: description });
	},
	option: function(cls) {
		var obj = cls.instantiate(this.varargs(arguments, 1, this.map, this));
		this.append(obj);
		return obj;
	},
	taboption: function(tab) {
		if (!(this.tabs || []).some(function(t) { return t.name == tab }))
			throw new ReferenceError('Associated tab not declared');
		var obj = this.option.apply(this, this.varargs(arguments, 1));
		obj.tab = tab;
		return obj;
	},
	load: function() {
		return Promise.all(this.cfgsections().map(L.bind(function(sid) {
			return this.loadChildren(sid).then(L.bind(function(values) {
				values.forEach(function(v, i) { this.children[i].cfgvalue(sid, v) }, this);
			}, this));
		}, this)));
	},
	parse: function() {
		var tasks = [];
		this.cfgsections().forEach(function(sid) {
			this.children.forEach(function(c) { tasks.push(c.parse(sid)) });
		}, this);
		return Promise.all(tasks);
	},
	cfgvalue: function(sid, option) {
		var o = this.children.filter(function(c) { return c.option == option })[0];
		return o ? o.cfgvalue(sid) : null;
	},
	formvalue: function(sid, option) {
		var o = this.children.filter(function(c) { return c.option == option })[0];
		return o ? (this.map.root ? o.formvalue(sid) : o.cfgvalue(sid)) : null;
	},
	renderUCISection: function(sid) {
		if (!this.tabs)
			return this.renderChildren(null, sid);
		return Promise.all(this.tabs.map(L.bind(function(t) { return this.renderChildren(t.name, sid) }, this)))
			.then(L.bind(function(groups) {
				return groups.map(function(nodes, i) {
					return E('div', { 'id': 'container.%s.%s.%s'.format(this.config, sid, this.tabs[i].name),
						'data-tab': this.tabs[i].name, 'data-tab-title': this.tabs[i].title }, nodes);
				}, this);
			}, this));
	},
	sectionNode: function(sid, nodes) {
		return E('div', { 'id': 'cbi-%s-%s'.format(this.config, sid), 'data-section-id': sid,
			'class': this.tabs ? 'cbi-section-node cbi-section-node-tabbed' : 'cbi-section-node' }, nodes);
	},
	checkDepends: function() {
		var changed = false;
		this.cfgsections().forEach(function(sid) {
			this.children.forEach(function(o) {
				var active = o.isActive(sid), ok = o.checkDepends(sid);
				if (active != ok) {
					o.setActive(sid, ok);
					changed = true;
				}
				if (ok)
					o.triggerValidation(sid);
			});
		}, this);
		return changed;
	}
});

var CBITypedSection = CBIAbstractSection.extend({
	cfgsections: function() {
		return this.map.data.sections(this.config, this.sectiontype).map(function(s) { return s['.name'] });
	},
	handleAdd: function(ev, name) {
		this.map.data.add(this.config, this.sectiontype, name);
		return this.map.save(null, true);
	},
	handleRemove: function(sid, ev) {
		this.map.data.remove(this.config, sid);
		return this.map.save(null, true);
	},
	render: function() {
		var sids = this.cfgsections();
		return Promise.all(sids.map(L.bind(this.renderUCISection, this))).then(L.bind(function(nodes) {
			var el = E('div', { 'id': 'cbi-%s-%s'.format(this.config, this.sectiontype), 'class': 'cbi-section' });
			if (this.title)
				el.appendChild(E('h3', {}, [ this.title ]));
			if (this.description)
				el.appendChild(E('div', { 'class': 'cbi-section-descr' }, [ this.description ]));
			sids.forEach(function(sid, i) {
				if (this.addremove)
					el.appendChild(E('div', { 'class': 'cbi-section-remove right' }, [ E('button', { 'class': 'cbi-button',
						'data-section-id': sid, 'disabled': this.map.readonly || null,
						'click': ui.createHandlerFn(this, 'handleRemove', sid) }, [ _('Delete') ]) ]));
				if (!this.anonymous)
					el.appendChild(E('h3', [ sid.toUpperCase() ]));
				el.appendChild(this.sectionNode(sid, nodes[i]));
			}, this);
			if (!sids.length)
				el.appendChild(E('em', [ _('This section contains no values yet') ]));
			if (this.addremove) {
				var name = E('input', { 'type': 'text', 'class': 'cbi-section-create-name', 'disabled': this.map.readonly || null });
				el.appendChild(E('div', { 'class': 'cbi-section-create' }, [ this.anonymous ? '' : name,
					E('button', { 'class': 'cbi-button cbi-button-add', 'disabled': this.map.readonly || null,
						'click': ui.createHandlerFn(this, function(ev) {
							return this.handleAdd(ev, this.anonymous ? null : name.value);
						}) }, [ _('Add') ]) ]));
				if (!this.anonymous && !this.map.readonly)
					ui.addValidator(name, 'uciname', true, null, 'blur', 'keyup');
			}
			dom.bindClassInstance(el, this);
			return el;
		}, this));
	}
});

var CBINamedSection = CBIAbstractSection.extend({
	__init__: function(map, section_id) {
		this.super('__init__', this.varargs(arguments, 2, map));
		this.section = section_id;
	},
	cfgsections: function() { return [ this.section ] },
	handleAdd: function() {
		this.map.data.add(this.config, this.sectiontype, this.section);
		return this.map.save(null, true);
	},
	render: function() {
		var exists = this.map.data.get(this.config, this.section) != null;
		return this.renderUCISection(this.section).then(L.bind(function(nodes) {
			var el = E('div', { 'class': 'cbi-section' });
			if (this.title)
				el.appendChild(E('h3', {}, [ this.title ]));
			if (exists)
				el.appendChild(this.sectionNode(this.section, nodes));
			else if (this.addremove)
				el.appendChild(E('button', { 'class': 'cbi-button cbi-button-add', 'disabled': this.map.readonly || null,
					'click': ui.createHandlerFn(this, 'handleAdd') }, [ _('Add') ]));
			dom.bindClassInstance(el, this);
			return el;
		}, this));
	}
});

var CBIValue = AbstractElement.extend({
	__init__: function(map, section, option) {
		this.super('__init__', this.varargs(arguments, 3));
		this.map = map;
		this.section = section;
		this.option = option;
		this.config = map.config;
		this.deps = [];
		this.rmempty = true;
		this.optional = false;
		this.default = null;
	},
	depends: function(field, value) {
		var d = {};
		if (typeof(field) == 'string')
			d[field] = value;
		else
			d = field;
		this.deps.push(d);
	},
	value: function(key, val) {
		(this.keylist = this.keylist || []).push(String(key));
		(this.vallist = this.vallist || []).push(val != null ? val : String(key));
	},
	choices: function() {
		if (!this.keylist)
			return null;
		var c = {};
		this.keylist.forEach(function(k, i) { c[k] = this.vallist[i] }, this);
		return c;
	},
	cbid: function(sid) { return 'cbid.%s.%s.%s'.format(this.config, sid, this.option) },
	load: function(sid) { return this.map.data.get(this.config, sid, this.ucioption || this.option) },
	// as LuCI: the config value (or the default), HTML-escaped, for a grid cell
	textvalue: function(sid) {
		var v = this.cfgvalue(sid);
		if (v == null)
			v = this.default;
		return (v != null) ? '%h'.format(v) : null;
	},
	cfgvalue: function(sid, set) {
		if (arguments.length == 2)
			(this.data = this.data || {})[sid] = set;
		return this.data ? this.data[sid] : null;
	},
	getUIElement: function(sid) {
		var node = this.map.findElement('id', this.cbid(sid)), inst = node ? dom.findClassInstance(node) : null;
		return (inst instanceof ui.AbstractElement) ? inst : null;
	},
	formvalue: function(sid) {
		var el = this.getUIElement(sid);
		return el ? el.getValue() : null;
	},
	validate: function(sid, value) { return true },
	isValid: function(sid) {
		var el = this.getUIElement(sid);
		return el ? el.isValid() : true;
	},
	triggerValidation: function(sid) {
		var el = this.getUIElement(sid);
		return el ? el.triggerValidation() : true;
	},
	field: function(sid) { return this.map.findElement('data-field', this.cbid(sid)) },
	isActive: function(sid) {
		var f = this.field(sid);
		return f != null && !f.classList.contains('hidden');
	},
	setActive: function(sid, active) {
		var f = this.field(sid);
		if (f)
			f.classList.toggle('hidden', !active);
	},
	// satisfied when, for any one depends() call, every named option has the given value
	checkDepends: function(sid) {
		if (!this.deps.length)
			return true;
		return this.deps.some(L.bind(function(d) {
			return Object.keys(d).every(L.bind(function(k) {
				var v = this.section.formvalue(sid, k);
				return String(v == null ? '' : v) == String(d[k]);
			}, this));
		}, this));
	},
	parse: function(sid) {
		var active = this.isActive(sid), title = this.stripTags(this.title).trim() || this.option;
		// as LuCI: a hidden option is removed, unless it retains its value
		if (!active)
			return Promise.resolve(this.retain ? null : this.remove(sid));
		if (!this.isValid(sid)) {
			var el = this.getUIElement(sid);
			return Promise.reject(new TypeError(_('Option "%s" contains an invalid input value.').format(title) + ' ' + el.getValidationError()));
		}
		var cval = this.cfgvalue(sid), fval = this.formvalue(sid);
		if (fval == null || fval == '' || (Array.isArray(fval) && !fval.length)) {
			if (this.rmempty || this.optional)
				return Promise.resolve(this.remove(sid));
			return Promise.reject(new TypeError(_('Option "%s" must not be empty.').format(title)));
		}
		if (JSON.stringify(L.toArray(cval)) != JSON.stringify(L.toArray(fval)))
			return Promise.resolve(this.write(sid, fval));
		return Promise.resolve();
	},
	write: function(sid, v) { return this.map.data.set(this.config, sid, this.ucioption || this.option, v) },
	remove: function(sid) { return this.map.data.unset(this.config, sid, this.ucioption || this.option) },
	render: function(index, sid, in_table) {
		return Promise.resolve(this.cfgvalue(sid)).then(L.bind(function(cval) {
			var widget = this.renderWidget(sid, index, cval), el;
			// a grid cell: LuCI's td markup around the field
			if (in_table) {
				el = E('td', { 'class': 'td cbi-value-field', 'data-name': this.option, 'data-title': this.stripTags(this.title) },
					E('div', { 'id': 'cbi-%s-%s-%s'.format(this.config, sid, this.option), 'data-field': this.cbid(sid) }, [ widget ]));
				el.addEventListener('widget-change', L.bind(this.map.checkDepends, this.map));
				dom.bindClassInstance(el, this);
				return el;
			}
			el = E('div', { 'class': 'cbi-value', 'id': 'cbi-%s-%s-%s'.format(this.config, sid, this.option),
				'data-field': this.cbid(sid), 'data-name': this.option, 'data-widget': this.__name__ }, [
				E('label', { 'class': 'cbi-value-title', 'for': 'widget.' + this.cbid(sid) }, [ this.title ]),
				E('div', { 'class': 'cbi-value-field' }, [ widget ].concat(this.description
					? [ E('div', { 'class': 'cbi-value-description' }, [ this.description ]) ] : []))
			]);
			if (this.deps.length)
				el.classList.add('hidden');
			el.addEventListener('widget-change', L.bind(this.map.checkDepends, this.map));
			dom.bindClassInstance(el, this);
			return el;
		}, this));
	},
	widgetOptions: function(sid, extra) {
		return Object.assign({ id: this.cbid(sid), optional: this.optional || this.rmempty, datatype: this.datatype,
			placeholder: this.placeholder, validate: L.bind(this.validate, this, sid),
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly }, extra);
	},
	renderWidget: function(sid, index, cval) {
		var v = (cval != null) ? cval : this.default, choices = this.choices();
		v = Array.isArray(v) ? v.join(' ') : v;
		return (choices ? new ui.Combobox(v, choices, this.widgetOptions(sid))
			: new ui.Textfield(v, this.widgetOptions(sid, { password: this.password }))).render();
	}
});
CBIValue.prototype.__name__ = 'CBI.Value';

var CBIListValue = CBIValue.extend({
	__name__: 'CBI.ListValue',
	renderWidget: function(sid, index, cval) {
		return new ui.Select((cval != null) ? cval : this.default, this.choices(),
			this.widgetOptions(sid, { sort: this.keylist, optional: this.optional })).render();
	}
});

var CBIFlagValue = CBIValue.extend({
	__name__: 'CBI.FlagValue',
	__init__: function() {
		this.super('__init__', arguments);
		this.enabled = '1';
		this.disabled = '0';
		this.default = this.disabled;
	},
	renderWidget: function(sid, index, cval) {
		return new ui.Checkbox((cval != null) ? cval : this.default, this.widgetOptions(sid,
			{ value_enabled: this.enabled, value_disabled: this.disabled })).render();
	},
	formvalue: function(sid) {
		var el = this.getUIElement(sid);
		return (el && el.isChecked()) ? this.enabled : this.disabled;
	},
	textvalue: function(sid) {
		var v = this.cfgvalue(sid);
		return (((v != null) ? v : this.default) == this.enabled) ? _('Yes') : _('No');
	},
	parse: function(sid) {
		if (!this.isActive(sid))
			return Promise.resolve(this.retain ? null : this.remove(sid));
		var fval = this.formvalue(sid);
		if (fval == this.default && (this.optional || this.rmempty))
			return Promise.resolve(this.remove(sid));
		return Promise.resolve(this.write(sid, fval));
	}
});

var CBIDynamicList = CBIValue.extend({
	__name__: 'CBI.DynamicList',
	renderWidget: function(sid, index, cval) {
		return new ui.DynamicList(L.toArray((cval != null) ? cval : this.default), this.choices(),
			this.widgetOptions(sid)).render();
	}
});

var CBIDummyValue = CBIValue.extend({
	__name__: 'CBI.DummyValue',
	renderWidget: function(sid) {
		var v = this.textvalue(sid);
		return E('div', { 'id': this.cbid(sid) }, (v != null) ? v : '');
	},
	parse: function() { return Promise.resolve() },
	remove: function() {},
	write: function() {}
});

// LuCI's GridSection (form.js): option() fields are the table's columns, shown
// as text (textvalue, markup-escaped) unless `editable`; taboption() fields and
// every option not `modalonly === false` are edited in a modal (ui.showModal
// with class cbi-modal) on a NamedSection of a new Map over the same uci
// state; the modal's Save saves that map (uci add/set/delete) and reloads the
// page's map; Dismiss of a section just added removes it again. The page's
// own Save parses only the editable cells.
var CBIGridSection = CBITypedSection.extend({
	__name__: 'CBI.GridSection',
	tab: function(name, title, description) {
		CBIAbstractSection.prototype.tab.call(this, name, title, description);
	},
	parse: function() {
		var tasks = [];
		this.cfgsections().forEach(function(sid) {
			this.children.forEach(function(c) {
				if (c.editable && !c.modalonly)
					tasks.push(c.parse(sid));
			});
		}, this);
		return Promise.all(tasks);
	},
	checkDepends: function() { return false },
	handleAdd: function(ev, name) {
		var sid = this.map.data.add(this.config, this.sectiontype, name);
		this.map.addedSection = sid;
		return this.renderMoreOptionsModal(sid);
	},
	render: function() {
		var sids = this.cfgsections(), cols = this.children.filter(function(c) { return !c.modalonly });
		return Promise.all(sids.map(L.bind(function(sid) {
			return Promise.all(cols.map(L.bind(function(c, i) {
				if (c.editable)
					return c.render(i, sid, true);
				var v = c.textvalue(sid);
				return E('td', { 'class': 'td cbi-value-field', 'data-name': c.option, 'data-title': this.stripTags(c.title),
					'data-widget': 'CBI.DummyValue' }, (v != null) ? v : E('em', _('none')));
			}, this)));
		}, this))).then(L.bind(function(rows) {
			var table = E('table', { 'class': 'table cbi-section-table' }, [
				E('tr', { 'class': 'tr cbi-section-table-titles named', 'data-title': _('Name') },
					[ E('th', { 'class': 'th' }, [ _('Name') ]) ].concat(cols.map(function(c) { return E('th', { 'class': 'th cbi-section-table-cell' }, [ c.title ]) }))
					.concat([ E('th', { 'class': 'th cbi-section-actions' }) ]))
			]);
			rows.forEach(function(cells, i) {
				var sid = sids[i];
				table.appendChild(E('tr', { 'class': 'tr cbi-section-table-row', 'id': 'cbi-%s-%s'.format(this.config, sid),
					'data-sid': sid, 'data-section-id': sid, 'data-title': sid },
					[ E('td', { 'class': 'td cbi-section-table-titles' }, [ sid ]) ].concat(cells).concat([
						E('td', { 'class': 'td cbi-section-table-cell nowrap cbi-section-actions' }, E('div', [
							E('button', { 'class': 'cbi-button cbi-button-edit', 'title': _('Edit'),
								'click': ui.createHandlerFn(this, 'renderMoreOptionsModal', sid) }, [ _('Edit') ]), ' ',
							this.addremove ? E('button', { 'class': 'cbi-button cbi-button-remove', 'title': _('Delete'),
								'disabled': this.map.readonly || null, 'click': ui.createHandlerFn(this, 'handleRemove', sid) }, [ _('Delete') ]) : ''
						]))
					])));
			}, this);
			if (!sids.length)
				table.appendChild(E('tr', { 'class': 'tr placeholder' }, E('td', { 'class': 'td' }, E('em', _('This section contains no values yet')))));
			var el = E('div', { 'id': 'cbi-%s-%s'.format(this.config, this.sectiontype), 'class': 'cbi-section cbi-tblsection' }, [
				this.title ? E('h3', {}, [ this.title ]) : '',
				this.description ? E('div', { 'class': 'cbi-section-descr' }, [ this.description ]) : '',
				table
			]);
			if (this.addremove) {
				var name = E('input', { 'type': 'text', 'class': 'cbi-section-create-name', 'disabled': this.map.readonly || null });
				el.appendChild(E('div', { 'class': 'cbi-section-create cbi-tblsection-create' }, [ E('div', {}, name),
					E('button', { 'class': 'cbi-button cbi-button-add', 'disabled': this.map.readonly || null,
						'click': ui.createHandlerFn(this, function(ev) {
							if (name.classList.contains('cbi-input-invalid'))
								return;
							return this.handleAdd(ev, name.value);
						}) }, [ this.addbtntitle || _('Add') ]) ]));
				if (!this.map.readonly)
					ui.addValidator(name, 'uciname', true, null, 'blur', 'keyup');
			}
			dom.bindClassInstance(el, this);
			return el;
		}, this));
	},
	renderMoreOptionsModal: function(sid) {
		var parent = this.map, m = new CBIMap(parent.config, null, null), s = m.section(CBINamedSection, sid, this.sectiontype);
		m.readonly = parent.readonly;
		m.parent = parent;
		s.tabs = this.tabs;
		this.children.forEach(function(o1) {
			if (o1.modalonly === false)
				return;
			var o2 = s.option(o1.constructor, o1.option, o1.title, o1.description);
			for (var k in o1)
				if (o1.hasOwnProperty(k) && [ 'map', 'section', 'option', 'title', 'description', 'data' ].indexOf(k) < 0)
					o2[k] = o1[k];
		});
		return m.render().then(L.bind(function(nodes) {
			ui.showModal(this.anonymous ? parent.title : '%s - %s'.format(parent.title, sid), [ nodes,
				E('div', { 'class': 'right' }, [
					E('button', { 'class': 'cbi-button', 'click': ui.createHandlerFn(this, 'handleModalCancel', m) }, [ _('Dismiss') ]), ' ',
					E('button', { 'class': 'cbi-button cbi-button-positive important', 'disabled': m.readonly || null,
						'click': ui.createHandlerFn(this, 'handleModalSave', m) }, [ _('Save') ])
				]) ], 'cbi-modal');
		}, this)).catch(L.error);
	},
	handleModalSave: function(m) {
		var parent = this.map;
		return m.save(null, true).then(function() {
			delete parent.addedSection;
			return parent.load();
		}).then(L.bind(parent.reset, parent)).then(ui.hideModal).catch(function() {});
	},
	handleModalCancel: function(m) {
		if (this.map.addedSection != null)
			this.map.data.remove(this.config, this.map.addedSection);
		delete this.map.addedSection;
		ui.hideModal();
		return Promise.resolve();
	}
});

return baseclass.extend({
	GridSection: CBIGridSection,
	DummyValue: CBIDummyValue,
	Map: CBIMap,
	NamedSection: CBINamedSection,
	TypedSection: CBITypedSection,
	Value: CBIValue,
	ListValue: CBIListValue,
	Flag: CBIFlagValue,
	DynamicList: CBIDynamicList
});
