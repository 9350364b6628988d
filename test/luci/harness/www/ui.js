'use strict';
'require validation';
'require baseclass';
'require dom';
'require uci';
'require view';

// The widgets and helpers of LuCI's ui class that form.js and the views use,
// with the same constructor signatures (value, [choices,] options) and the
// same markup where tests look at it: ids "widget.cbid.*", the password field
// switched to type=password on the next animation frame, cbi-input-invalid.

var UI;

var AbstractElement = baseclass.extend({
	getValue: function() { return (this.node.matches('select,input')) ? this.node.value : null },
	setValue: function(v) { if (this.node.matches('select,input')) this.node.value = v },
	isValid: function() { return this.validState !== false },
	isChanged: function() { return this.node.getAttribute('data-changed') == 'true' },
	getValidationError: function() { return this.validationError || '' },
	triggerValidation: function() {
		if (typeof(this.vfunc) != 'function')
			return false;
		var was = this.isValid();
		this.vfunc();
		return was != this.isValid();
	},
	registerEvents: function(target, synevent, events) {
		var node = this.node;
		events.forEach(function(ev) {
			target.addEventListener(ev, function() { node.dispatchEvent(new CustomEvent(synevent, { bubbles: true })) });
		});
	},
	setUpdateEvents: function(target) {
		var events = this.varargs(arguments, 1), o = this.options;
		this.registerEvents(target, 'widget-update', events);
		if (!o.datatype && !o.validate)
			return;
		this.vfunc = UI.prototype.addValidator.apply(UI.prototype,
			[ target, o.datatype || 'string', o.hasOwnProperty('optional') ? o.optional : true, o.validate ].concat(events));
		this.node.addEventListener('validation-success', L.bind(function() { this.validState = true; this.validationError = '' }, this));
		this.node.addEventListener('validation-failure', L.bind(function(ev) { this.validState = false; this.validationError = ev.detail.message }, this));
	},
	setChangeEvents: function(target) {
		var node = this.node;
		this.varargs(arguments, 1).forEach(function(ev) {
			target.addEventListener(ev, function() { node.setAttribute('data-changed', true) });
		});
		this.registerEvents(target, 'widget-change', this.varargs(arguments, 1));
	}
});

var Textfield = AbstractElement.extend({
	__init__: function(value, options) {
		this.value = value;
		this.options = Object.assign({ optional: true, password: false }, options);
	},
	render: function() {
		var o = this.options, frame = E('div', { 'id': o.id });
		var input = E('input', { 'id': o.id ? 'widget.' + o.id : null, 'type': 'text',
			'class': o.password ? 'cbi-input-password' : 'cbi-input-text', 'disabled': o.disabled ? '' : null,
			'placeholder': o.placeholder, 'autocomplete': o.password ? 'new-password' : null, 'value': this.value });
		frame.appendChild(input);
		if (o.password)
			window.requestAnimationFrame(function() { input.type = 'password' });
		this.node = frame;
		this.setUpdateEvents(input, 'keyup', 'blur');
		this.setChangeEvents(input, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	getValue: function() { return this.node.querySelector('input').value },
	setValue: function(v) { this.node.querySelector('input').value = v }
});

var Checkbox = AbstractElement.extend({
	__init__: function(value, options) {
		this.value = value;
		this.options = Object.assign({ value_enabled: '1', value_disabled: '0' }, options);
	},
	render: function() {
		var o = this.options;
		this.node = E('div', { 'id': o.id, 'class': 'cbi-checkbox' }, [ E('input', { 'type': 'checkbox',
			'data-widget-id': o.id ? 'widget.' + o.id : null, 'value': o.value_enabled,
			'checked': (this.value == o.value_enabled) ? '' : null, 'disabled': o.disabled ? '' : null }) ]);
		this.setUpdateEvents(this.node.firstChild, 'click', 'blur');
		this.setChangeEvents(this.node.firstChild, 'change');
		dom.bindClassInstance(this.node, this);
		return this.node;
	},
	isChecked: function() { return this.node.firstChild.checked },
	getValue: function() { return this.isChecked() ? this.options.value_enabled : this.options.value_disabled },
	setValue: function(v) { this.node.firstChild.checked = (v == this.options.value_enabled) }
});

var Select = AbstractElement.extend({
	__init__: function(value, choices, options) {
		this.values = L.toArray(value);
		this.choices = L.isObject(choices) ? choices : {};
		this.options = Object.assign({}, options);
		// as in LuCI: a '' choice makes the select optional, and comes first
		if (this.choices.hasOwnProperty(''))
			this.options.optional = true;
	},
	render: function() {
		var o = this.options, keys = Array.isArray(o.sort) ? o.sort : Object.keys(this.choices);
		var sel = E('select', { 'id': o.id ? 'widget.' + o.id : null, 'class': 'cbi-input-select', 'disabled': o.disabled ? '' : null });
		if (o.optional)
			sel.appendChild(E('option', { 'value': '', 'selected': (this.values[0] || '') == '' ? '' : null },
				[ this.choices[''] || o.placeholder || _('-- Please choose --') ]));
		keys.forEach(function(k) {
			if (k != '')
				sel.appendChild(E('option', { 'value': k, 'selected': (this.values.indexOf(k) > -1) ? '' : null },
					[ this.choices[k] || k ]));
		}, this);
		this.node = E('div', { 'id': o.id }, [ sel ]);
		this.setUpdateEvents(sel, 'change', 'click', 'blur');
		this.setChangeEvents(sel, 'change');
		dom.bindClassInstance(this.node, this);
		return this.node;
	},
	getValue: function() { return this.node.firstChild.value },
	setValue: function(v) { this.node.firstChild.value = (v == null) ? '' : v }
});

// LuCI draws a dropdown with a "custom" entry; a text input with suggestions
// keeps the same contract: any value may be typed, unknown ones are kept
var Combobox = Textfield.extend({
	__init__: function(value, choices, options) {
		this.super('__init__', [ value, options ]);
		this.choices = choices || {};
	},
	render: function() {
		var frame = Textfield.prototype.render.call(this), id = 'dl-' + this.options.id;
		frame.firstChild.setAttribute('list', id);
		frame.appendChild(E('datalist', { 'id': id }, Object.keys(this.choices).map(function(k) { return E('option', { 'value': k }) })));
		return frame;
	}
});

var DynamicList = AbstractElement.extend({
	__init__: function(values, choices, options) {
		this.values = Array.isArray(values) ? values : (values != null && values != '') ? [ values ] : [];
		this.options = Object.assign({}, options, { optional: true });
	},
	render: function() {
		var o = this.options, input = E('input', { 'id': o.id ? 'widget.' + o.id : null, 'type': 'text',
			'class': 'cbi-input-text', 'placeholder': o.placeholder, 'disabled': o.disabled ? '' : null });
		var dl = E('div', { 'id': o.id, 'class': 'cbi-dynlist' }, [ E('div', { 'class': 'add-item control-group' }, [ input,
			E('button', { 'class': 'cbi-button cbi-button-add', 'disabled': o.disabled ? '' : null,
				'click': L.bind(function(ev) {
					ev.preventDefault();
					if (input.value === '' || input.classList.contains('cbi-input-invalid'))
						return;
					this.addItem(dl, input.value);
					input.value = '';
					dl.dispatchEvent(new CustomEvent('cbi-dynlist-change', { bubbles: true }));
				}, this) }, [ '+' ]) ]) ]);
		if (o.datatype || o.validate)
			UI.prototype.addValidator(input, o.datatype || 'string', true, o.validate, 'blur', 'keyup');
		this.values.forEach(function(v) { this.addItem(dl, v) }, this);
		this.node = dl;
		this.setChangeEvents(dl, 'cbi-dynlist-change');
		dom.bindClassInstance(dl, this);
		return dl;
	},
	addItem: function(dl, value) {
		dl.insertBefore(E('div', { 'class': 'item', 'data-value': value }, [ E('span', [ value ]),
			E('button', { 'class': 'cbi-button cbi-button-remove', 'disabled': this.options.disabled ? '' : null, 'click': function(ev) {
				ev.preventDefault();
				dl.removeChild(ev.currentTarget.parentNode);
				dl.dispatchEvent(new CustomEvent('cbi-dynlist-change', { bubbles: true }));
			} }, [ '×' ]) ]), dl.lastElementChild);
	},
	getValue: function() {
		return Array.prototype.map.call(this.node.querySelectorAll('.item'), function(i) { return i.getAttribute('data-value') });
	},
	setValue: function(values) {
		this.node.querySelectorAll('.item').forEach(function(i) { i.parentNode.removeChild(i) });
		L.toArray(values).forEach(function(v) { this.addItem(this.node, v) }, this);
	}
});

// LuCI's Dropdown is a custom list widget (ul.cbi-dropdown); this one is a
// <select> with the same contract for the form: getValue/setValue, the
// choices in `sort` order, an optional '' entry, and with `create` a text
// field for a value not in the list (shown already when the value is unknown)
var Dropdown = AbstractElement.extend({
	__init__: function(value, choices, options) {
		this.value = Array.isArray(value) ? value[0] : value;
		this.choices = L.isObject(choices) ? choices : {};
		this.options = Object.assign({}, options);
	},
	render: function() {
		var o = this.options, keys = Array.isArray(o.sort) ? o.sort : Object.keys(this.choices).sort(),
		    v = (this.value == null) ? '' : String(this.value), known = v === '' || this.choices.hasOwnProperty(v);
		var sel = E('select', { 'id': o.id ? 'widget.' + o.id : null, 'class': 'cbi-input-select', 'disabled': o.disabled ? '' : null });
		if (o.optional || this.choices.hasOwnProperty(''))
			sel.appendChild(E('option', { 'value': '' }, [ _('unspecified') ]));
		keys.forEach(function(k) {
			if (k !== '' && this.choices.hasOwnProperty(k)) {
				var c = this.choices[k];
				sel.appendChild(E('option', { 'value': k }, [ dom.elem(c) ? (c.textContent || k) : String(c) ]));
			}
		}, this);
		if (o.create)
			sel.appendChild(E('option', { 'value': '\u0000create' }, [ _('-- custom --') ]));
		var input = o.create ? E('input', { 'type': 'text', 'class': 'create-item-input', 'disabled': o.disabled ? '' : null,
			'placeholder': _('custom'), 'value': known ? '' : v }) : null;
		sel.value = known ? v : '\u0000create';
		this.node = E('div', { 'id': o.id, 'class': 'cbi-dropdown' }, [ sel, input ]);
		var sync = function() { if (input) input.classList.toggle('hidden', sel.value != '\u0000create') };
		sel.addEventListener('change', sync);
		sync();
		this.setUpdateEvents(sel, 'change', 'blur');
		this.setChangeEvents(sel, 'change');
		if (input)
			this.setChangeEvents(input, 'change', 'keyup');
		dom.bindClassInstance(this.node, this);
		return this.node;
	},
	getValue: function() {
		var sel = this.node.querySelector('select'), input = this.node.querySelector('input');
		return (sel.value == '\u0000create') ? (input ? input.value.trim() : '') : sel.value;
	},
	setValue: function(v) {
		var sel = this.node.querySelector('select'), input = this.node.querySelector('input');
		v = (v == null) ? '' : String(v);
		if (v === '' || this.choices.hasOwnProperty(v))
			sel.value = v;
		else if (input) {
			sel.value = '\u0000create';
			input.value = v;
		}
		sel.dispatchEvent(new Event('change'));
	}
});

UI = baseclass.extend({
	AbstractElement: AbstractElement,
	Dropdown: Dropdown,
	Textfield: Textfield,
	Checkbox: Checkbox,
	Select: Select,
	Combobox: Combobox,
	DynamicList: DynamicList,

	addValidator: function(field, type, optional, vfunc) {
		if (type == null)
			return;
		var events = this.varargs(arguments, 4);
		if (!events.length)
			events.push('blur', 'keyup');
		var v = validation.create(field, type, optional, vfunc), fn = v.validate.bind(v);
		events.forEach(function(ev) { field.addEventListener(ev, fn) });
		fn();
		return fn;
	},

	createHandlerFn: function(ctx, fn) {
		if (typeof(fn) == 'string')
			fn = ctx[fn];
		if (typeof(fn) != 'function')
			return null;
		var extra = this.varargs(arguments, 2);
		return function(ev) {
			var t = ev.currentTarget;
			t.classList.add('spinning');
			t.disabled = true;
			Promise.resolve(fn.apply(ctx, extra.concat([ ev ]))).finally(function() {
				t.classList.remove('spinning');
				t.disabled = false;
			});
		};
	},

	addNotification: function(title, children) {
		var mc = document.querySelector('#maincontent') || document.body,
		    msg = E('div', { 'class': 'alert-message' }, [ E('div', {}) ]);
		if (title != null)
			dom.append(msg.firstChild, E('h4', {}, title));
		dom.append(msg.firstChild, children);
		for (var i = 2; i < arguments.length; i++)
			msg.classList.add(arguments[i]);
		mc.insertBefore(msg, mc.firstElementChild);
		return msg;
	},

	// LuCI's markup: body.modal-overlay-active > #modal_overlay > .modal[.extra classes]
	showModal: function(title, children) {
		var o = document.getElementById('modal_overlay') || document.body.appendChild(E('div', { 'id': 'modal_overlay' }, E('div', { 'class': 'modal' })));
		var m = o.firstElementChild;
		m.className = 'modal';
		for (var i = 2; i < arguments.length; i++)
			m.classList.add(arguments[i]);
		dom.content(m, []);
		if (title)
			m.appendChild(E('h4', {}, title));
		dom.append(m, children);
		document.body.classList.add('modal-overlay-active');
		return m;
	},

	hideModal: function() {
		document.body.classList.remove('modal-overlay-active');
	},

	changes: {
		apply: function(checked) {
			return uci.apply(10).then(function() { document.body.setAttribute('data-applied', 'true') });
		}
	},

	tabs: {
		// one ul.cbi-tabmenu per group of [data-tab] panes; a click shows its pane
		initTabGroup: function(panes) {
			panes = Array.prototype.filter.call(panes, function(p) { return p.nodeType == 1 && p.hasAttribute('data-tab') });
			if (!panes.length)
				return;
			var show = function(name) {
				panes.forEach(function(p) { p.setAttribute('data-tab-active', p.getAttribute('data-tab') == name ? 'true' : 'false') });
				menu.querySelectorAll('li').forEach(function(li) { li.className = li.getAttribute('data-tab') == name ? 'cbi-tab' : 'cbi-tab-disabled' });
			};
			var menu = E('ul', { 'class': 'cbi-tabmenu' }, panes.map(function(p) {
				return E('li', { 'data-tab': p.getAttribute('data-tab') }, [ E('a', { 'href': '#', 'click': function(ev) {
					ev.preventDefault();
					show(p.getAttribute('data-tab'));
				} }, [ p.getAttribute('data-tab-title') ]) ]);
			}));
			panes[0].parentNode.insertBefore(menu, panes[0]);
			show(panes[0].getAttribute('data-tab'));
		}
	},

	instantiateView: function(path) {
		var name = 'view.' + path.replace(/\//g, '.');
		return L.require(name).then(function(instance) {
			if (!(instance instanceof view))
				throw new TypeError('Loaded class ' + name + ' is not a descendant of View');
			return instance;
		}).catch(L.error);
	}
});

return UI;
