'use strict';
'require baseclass';

// The datatype expressions the views use ("hostname", "and(uinteger,range(1,60))"),
// compiled and checked the way LuCI's validation class does: empty passes only
// when optional, then the datatype, then the view's own validate function, and
// the field gets the class cbi-input-invalid plus a validation-* event.

var types = {
	integer: function() { return this.assert(/^-?\d+$/.test(this.value), _('valid integer value')) },
	uinteger: function() { return this.assert(/^\d+$/.test(this.value), _('positive integer value')) },
	range: function(min, max) {
		var v = /^-?\d+(?:\.\d+)?$/.test(this.value) ? +this.value : NaN;
		return this.assert(v >= +min && v <= +max, _('value between %f and %f').format(min, max));
	},
	min: function(min) { return this.assert(+this.value >= +min, _('value greater or equal to %f').format(min)) },
	max: function(max) { return this.assert(+this.value <= +max, _('value smaller or equal to %f').format(max)) },
	hostname: function() {
		var v = this.value;
		return this.assert(v.length <= 253 && (/^[a-zA-Z0-9_]+$/.test(v) ||
			(/^[a-zA-Z0-9_][a-zA-Z0-9_\-.]*[a-zA-Z0-9]$/.test(v) && /[^0-9.]/.test(v))), _('valid hostname'));
	},
	uciname: function() { return this.assert(/^[a-zA-Z0-9_]+$/.test(this.value), _('valid UCI identifier')) },
	string: function() { return true },
	and: function() {
		for (var i = 0; i < arguments.length; i += 2)
			if (!arguments[i].apply(this, arguments[i + 1]))
				return false;
		return true;
	},
	or: function() {
		for (var i = 0; i < arguments.length; i += 2)
			if (arguments[i].apply(this, arguments[i + 1]))
				return this.assert(true);
		return false;
	}
};

/** "a(b,c(1,2))" -> [ fn_a, [ fn_b, [], fn_c, [1, 2] ] ], the same stack form LuCI builds. */
function compile(code) {
	var out = [], re = /\s*([a-zA-Z_]\w*|-?\d+(?:\.\d+)?|'[^']*')\s*(\()?/y, pos = 0;
	function list(end) {
		var items = [];
		while (pos < code.length && code.charAt(pos) != end) {
			re.lastIndex = pos;
			var m = re.exec(code);
			if (!m)
				throw new SyntaxError('Unhandled token in "' + code + '"');
			pos = re.lastIndex;
			if (/^-?\d/.test(m[1]))
				items.push(+m[1]);
			else if (m[1].charAt(0) == "'")
				items.push(m[1].slice(1, -1));
			else if (typeof(types[m[1]]) != 'function')
				throw new SyntaxError('Unhandled token "' + m[1] + '"');
			else {
				items.push(types[m[1]]);
				if (m[2]) {
					items.push(list(')'));
					pos++;
				}
				else
					items.push([]);
			}
			if (code.charAt(pos) == ',')
				pos++;
		}
		return items;
	}
	out = list('');
	return out;
}

var Validator = baseclass.extend({
	__init__: function(field, type, optional, vfunc) {
		this.field = field;
		this.optional = optional;
		this.vfunc = vfunc;
		this.vstack = compile(type);
	},

	assert: function(ok, message) {
		this.field.classList.toggle('cbi-input-invalid', !ok);
		this.error = ok ? null : message;
		return !!ok;
	},

	validate: function() {
		var valid;
		this.value = (this.field.value != null) ? this.field.value : '';
		this.error = null;
		if (this.value.length === 0)
			valid = this.assert(this.optional, _('non-empty value'));
		else
			valid = this.vstack[0].apply(this, this.vstack[1]);
		if (valid !== true)
			return this.fail(_('Expecting: %s').format(this.error));
		if (typeof(this.vfunc) == 'function' && (valid = this.vfunc(this.value)) !== true)
			return this.fail(valid);
		this.field.classList.remove('cbi-input-invalid');
		this.field.removeAttribute('data-tooltip');
		this.field.dispatchEvent(new CustomEvent('validation-success', { bubbles: true }));
		return true;
	},

	fail: function(message) {
		this.field.classList.add('cbi-input-invalid');
		this.field.setAttribute('data-tooltip', message);
		this.field.dispatchEvent(new CustomEvent('validation-failure', { bubbles: true, detail: { message: message } }));
		return false;
	}
});

return baseclass.extend({
	create: function(field, type, optional, vfunc) { return new Validator(field, type, optional, vfunc) },
	types: types
});
