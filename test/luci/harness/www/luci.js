// A minimal stand-in for LuCI's luci.js, written for these tests: the class
// system, the module loader that turns a view's 'require x' header into
// arguments, and the built-in classes (baseclass, dom, poll, request, view).
// Signatures and the behaviours the views rely on follow the real runtime
// (modules/luci-base/htdocs/luci-static/resources/luci.js), including the
// sharp edges: a string child of E() is parsed as HTML, a view class is
// instantiated as soon as it is loaded.
(function(window, document) {
	'use strict';

	var superContext = null;
	var Class = Object.assign(function() {}, {
		extend: function(properties) {
			var Super = this;
			var Ctor = function() {
				if (!(this instanceof Ctor))
					throw new TypeError('Constructor must not be called without "new"');
				if (Object.getPrototypeOf(this).hasOwnProperty('__init__'))
					this.__init__.apply(this, arguments);
				else
					this.super('__init__', arguments);
			};
			Ctor.prototype = Object.create(Super.prototype);
			for (var k in properties)
				if (properties.hasOwnProperty(k))
					Object.defineProperty(Ctor.prototype, k, { value: properties[k], writable: true, configurable: true });
			Ctor.prototype.constructor = Ctor;
			Object.assign(Ctor, Super);
			return Ctor;
		},
		singleton: function(properties) {
			return Class.extend.call(this, properties).instantiate(Array.prototype.slice.call(arguments, 1));
		},
		instantiate: function(args) {
			return new (Function.prototype.bind.apply(this, [ null ].concat(args)))();
		},
		isSubclass: function(c) {
			return typeof(c) == 'function' && c.prototype instanceof this;
		},
		prototype: {
			varargs: function(args, offset) {
				return Array.prototype.slice.call(arguments, 2).concat(Array.prototype.slice.call(args, offset));
			},
			// same lookup as LuCI: walk up from the prototype above the caller's
			super: function(key, callArgs) {
				for (superContext = Object.getPrototypeOf(superContext || Object.getPrototypeOf(this));
				     superContext && !superContext.hasOwnProperty(key);
				     superContext = Object.getPrototypeOf(superContext)) { }
				if (!superContext)
					return null;
				var res = superContext[key];
				if (arguments.length > 1) {
					if (typeof(callArgs) != 'object')
						callArgs = this.varargs(arguments, 1);
					try { res = res.apply(this, callArgs); }
					finally { superContext = null; }
				}
				superContext = null;
				return res;
			},
			__init__: function() {}
		}
	});

	String.prototype.format = function() {
		var args = arguments, i = 0;
		var esc = function(s, q) {
			s = (s == null || typeof(s) == 'object' || typeof(s) == 'function') ? '' : String(s);
			s = s.replace(/&/g, '&#38;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
			return q ? s : s.replace(/</g, '&#60;').replace(/>/g, '&#62;');
		};
		return this.replace(/%(\.\d+)?([%sdfhqx])/g, function(m, prec, t) {
			if (t == '%')
				return '%';
			var v = args[i++];
			switch (t) {
			case 'd': return Math.floor(+v || 0).toFixed(0);
			case 'f': return prec ? (+v || 0).toFixed(+prec.substring(1)) : String(+v || 0);
			case 'x': return Math.floor(+v || 0).toString(16);
			case 'h': return esc(v, false);
			case 'q': return esc(v, true);
			default: return String(v);
			}
		});
	};

	var DOM = Class.singleton({
		elem: function(e) { return e != null && typeof(e) == 'object' && 'nodeType' in e },
		parse: function(s) {
			var d = document.createElement('div');
			d.innerHTML = s;
			return d.firstChild;
		},
		matches: function(node, sel) { return this.elem(node) && node.matches ? node.matches(sel) : false },
		parent: function(node, sel) { return this.elem(node) && node.closest ? node.closest(sel) : null },
		append: function(node, children) {
			if (!this.elem(node))
				return null;
			if (Array.isArray(children)) {
				for (var i = 0; i < children.length; i++)
					if (this.elem(children[i]))
						node.appendChild(children[i]);
					else if (children !== null && children !== undefined)
						// as in LuCI: a null item becomes the text "null"
						node.appendChild(document.createTextNode('' + children[i]));
				return node.lastChild;
			}
			if (typeof(children) == 'function')
				return this.append(node, children(node));
			if (this.elem(children))
				return node.appendChild(children);
			if (children !== null && children !== undefined) {
				// as in LuCI: a bare string child is markup
				node.innerHTML = '' + children;
				return node.lastChild;
			}
			return null;
		},
		content: function(node, children) {
			if (!this.elem(node))
				return null;
			while (node.firstChild)
				node.removeChild(node.firstChild);
			return this.append(node, children);
		},
		attr: function(node, key, val) {
			var attr = (typeof(key) == 'object' && key !== null) ? key : {};
			if (typeof(key) == 'string')
				attr[key] = val;
			for (var k in attr) {
				if (!attr.hasOwnProperty(k) || attr[k] == null)
					continue;
				if (typeof(attr[k]) == 'function')
					node.addEventListener(k, attr[k]);
				else if (typeof(attr[k]) == 'object')
					node.setAttribute(k, JSON.stringify(attr[k]));
				else
					node.setAttribute(k, attr[k]);
			}
		},
		create: function(html, attr, data) {
			var elem;
			if (!(attr instanceof Object) || Array.isArray(attr))
				data = attr, attr = null;
			if (Array.isArray(html)) {
				elem = document.createDocumentFragment();
				for (var i = 0; i < html.length; i++)
					elem.appendChild(this.create(html[i]));
			}
			else if (this.elem(html))
				elem = html;
			else if (html.charCodeAt(0) === 60)
				elem = this.parse(html);
			else
				elem = document.createElement(html);
			if (attr)
				this.attr(elem, attr);
			this.append(elem, data);
			return elem;
		},
		data: function(node, key, val) {
			node.__luci = node.__luci || {};
			if (arguments.length > 2)
				node.__luci[key] = val;
			return node.__luci[key];
		},
		bindClassInstance: function(node, inst) { return this.data(node, '_class', inst) },
		findClassInstance: function(node) {
			var inst = null;
			for (; node != null && !(inst instanceof Class); node = node.parentNode)
				inst = node.__luci ? node.__luci._class : null;
			return inst;
		},
		callClassMethod: function(node, method) {
			var inst = this.findClassInstance(node);
			return (inst && typeof(inst[method]) == 'function')
				? inst[method].apply(inst, Array.prototype.slice.call(arguments, 2)) : null;
		},
		isEmpty: function(node) { return !node || !node.firstElementChild }
	});

	// every second a tick; a function added with interval N runs on ticks divisible by N
	var Poll = Class.singleton({
		queue: [],
		add: function(fn, interval) {
			if (interval == null || interval <= 0)
				interval = L.env.pollinterval || 5;
			if (isNaN(interval) || typeof(fn) != 'function')
				throw new TypeError('Invalid argument to LuCI.poll.add()');
			for (var i = 0; i < this.queue.length; i++)
				if (this.queue[i].fn === fn)
					return false;
			this.queue.push({ r: true, i: interval >>> 0, fn: fn });
			return true;
		},
		remove: function(fn) {
			var len = this.queue.length;
			this.queue = this.queue.filter(function(e) { return e.fn !== fn });
			return this.queue.length != len;
		},
		start: function() {
			if (this.active())
				return false;
			this.tick = 0;
			this.timer = window.setInterval(this.step.bind(this), 1000);
			return true;
		},
		stop: function() {
			if (!this.active())
				return false;
			window.clearInterval(this.timer);
			delete this.timer;
			return true;
		},
		step: function() {
			this.queue.forEach(function(e) {
				if (Poll.tick % e.i != 0 || !e.r)
					return;
				e.r = false;
				Promise.resolve(e.fn()).finally(function() { e.r = true });
			});
			this.tick = (this.tick + 1) % Math.pow(2, 32);
		},
		active: function() { return this.timer != null }
	});

	var Request = Class.singleton({
		request: function(url, opt) {
			opt = opt || {};
			var init = { method: opt.method || 'GET', credentials: 'same-origin', headers: opt.headers || {} };
			if (opt.content != null) {
				init.body = (typeof(opt.content) == 'object') ? JSON.stringify(opt.content) : String(opt.content);
				if (typeof(opt.content) == 'object')
					init.headers['Content-Type'] = 'application/json';
			}
			return window.fetch(url, init).then(function(res) {
				return res.text().then(function(text) {
					return {
						ok: res.ok, status: res.status, statusText: res.statusText, url: res.url,
						text: function() { return text },
						json: function() { return JSON.parse(text) }
					};
				});
			});
		},
		get: function(url, opt) { return this.request(url, Object.assign({ method: 'GET' }, opt)) },
		post: function(url, data, opt) { return this.request(url, Object.assign({ method: 'POST', content: data }, opt)) }
	});

	var View = Class.extend({
		__init__: function() {
			var vp = document.getElementById('view');
			DOM.content(vp, E('div', { 'class': 'spinning' }, [ _('Loading view…') ]));
			return Promise.resolve(this.load())
				.then(L.bind(this.render, this))
				.then(L.bind(function(nodes) {
					DOM.content(vp, nodes);
					DOM.append(vp, this.addFooter());
					// not in LuCI: tells the tests the view is on the page
					document.body.setAttribute('data-view-ready', 'true');
				}, this)).catch(L.error);
		},
		load: function() {},
		render: function() {},
		handleSave: function(ev) {
			return Promise.all(Array.prototype.map.call(document.querySelectorAll('#maincontent .cbi-map'),
				function(map) { return DOM.callClassMethod(map, 'save') }));
		},
		handleSaveApply: function(ev, mode) {
			return this.handleSave(ev).then(function() { return classes.ui.changes.apply(mode == '0') });
		},
		handleReset: function(ev) {
			return Promise.all(Array.prototype.map.call(document.querySelectorAll('#maincontent .cbi-map'),
				function(map) { return DOM.callClassMethod(map, 'reset') }));
		},
		addFooter: function() {
			var readonly = !L.hasViewPermission(), ui = classes.ui, btn = [];
			document.querySelectorAll('#view .cbi-map').forEach(function(map) {
				var m = DOM.findClassInstance(map);
				readonly = m ? !!m.readonly : readonly;
			});
			if (this.handleSaveApply)
				btn.push(E('button', { 'class': 'cbi-button cbi-button-apply', 'disabled': readonly || null,
					'click': ui.createHandlerFn(this, 'handleSaveApply', '0') }, [ _('Save & Apply') ]));
			if (this.handleSave)
				btn.push(E('button', { 'class': 'cbi-button cbi-button-save', 'disabled': readonly || null,
					'click': ui.createHandlerFn(this, 'handleSave') }, [ _('Save') ]));
			if (this.handleReset)
				btn.push(E('button', { 'class': 'cbi-button cbi-button-reset', 'disabled': readonly || null,
					'click': ui.createHandlerFn(this, 'handleReset') }, [ _('Reset') ]));
			return btn.length ? E('div', { 'class': 'cbi-page-actions' }, btn) : E([]);
		}
	});

	var classes = { baseclass: Class, dom: DOM, poll: Poll, request: Request, view: View };

	var LuCI = Class.extend({
		__init__: function(env) {
			this.env = env;
			this.env.base_url = '/luci-static/resources';
		},

		/** Loads a class file, resolving its 'require x [as y]' header to arguments, and instantiates it. */
		require: function(name, from) {
			from = from || [];
			if (classes[name] != null) {
				if (from.indexOf(name) != -1)
					L.raise('DependencyError', 'Circular dependency: %s', from.join(' <- '));
				return Promise.resolve(classes[name]);
			}
			var url = '%s/%s.js'.format(L.env.base_url, name.replace(/\./g, '/'));
			from = [ name ].concat(from);
			classes[name] = Request.get(url).then(function(res) {
				if (!res.ok)
					L.raise('NetworkError', 'HTTP error %d while loading class file "%s"', res.status, url);
				var source = res.text(), header = requireHeader(source);
				return Promise.all(header.deps.map(function(d) { return L.require(d, from) })).then(function(instances) {
					var factory = eval('(function(window, document, L%s) { %s })\n//# sourceURL=%s\n'
						.format(header.args, source, url));
					var cls = factory.apply(factory, [ window, document, L ].concat(instances));
					if (!Class.isSubclass(cls))
						L.error('TypeError', '"%s" factory yields invalid constructor', name);
					var instance = new cls();
					if (name.indexOf('.') < 0)
						LuCI.prototype[name] = instance;
					classes[name] = instance;
					return instance;
				});
			});
			return classes[name];
		},

		bind: function(fn, self) { return Function.prototype.bind.apply(fn, this.varargs(arguments, 2, self)) },
		resolveDefault: function(value, def) { return Promise.resolve(value).catch(function() { return def }) },
		isObject: function(v) { return v != null && typeof(v) == 'object' },
		toArray: function(v) {
			if (v == null)
				return [];
			if (Array.isArray(v))
				return v;
			if (typeof(v) == 'object')
				return [ v ];
			var s = String(v).trim();
			return (s == '') ? [] : s.split(/\s+/);
		},
		sortedKeys: function(obj) { return Object.keys(obj || {}).sort() },
		naturalCompare: new Intl.Collator(undefined, { numeric: true }).compare,
		url: function() { return '/cgi-bin/luci/' + Array.prototype.join.call(arguments, '/') },
		resource: function() { return L.env.base_url + '/' + Array.prototype.join.call(arguments, '/') },
		hasViewPermission: function() {
			var ns = L.env.nodespec;
			if (!ns || !ns.satisfied)
				return null;
			return !ns.readonly;
		},
		raise: function(type, fmt) {
			var e = new (window[type] || Error)(fmt ? String.prototype.format.apply(fmt, this.varargs(arguments, 2)) : 'Unspecified error');
			e.name = type || 'Error';
			throw e;
		},
		error: function(type, fmt) {
			var e = (type instanceof Error) ? type : null;
			if (!e)
				try { L.raise.apply(L, arguments) } catch (x) { e = x }
			window.__luciErrors = (window.__luciErrors || []).concat(e.name + ': ' + e.message);
			DOM.content(document.getElementById('view'), E('div', { 'class': 'alert-message error' }, [ e.name + ': ' + e.message ]));
			throw e;
		}
	});

	/** The leading string statements of a class file: 'use strict' and 'require x [as y]'. */
	function requireHeader(source) {
		var re = /^(?:\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])((?:(?!\1)[^\\\n])*)\1\s*;?/,
		    deps = [], args = '', m, r;
		while ((m = re.exec(source)) != null) {
			source = source.substring(m[0].length);
			if ((r = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/.exec(m[2])) != null) {
				deps.push(r[1]);
				args += ', ' + (r[2] || r[1].replace(/[^a-zA-Z0-9_]/g, '_'));
			}
			else if (m[2] != 'use strict')
				break;
		}
		return { deps: deps, args: args };
	}

	window.LuCI = LuCI;
	window.E = function() { return DOM.create.apply(DOM, arguments) };
	// _(s) and N_(n, singular, plural) with LuCI's signatures; the catalog
	// (window.TR) is keyed by msgid here, by a hash of it in LuCI
	window._ = function(s) {
		var t = window.TR && window.TR[s];
		return (typeof(t) == 'string') ? t : s;
	};
	window.N_ = function(n, s, p) {
		var t = window.TR && window.TR[s];
		// German and English: one form for 1, the other for every other count
		if (Array.isArray(t))
			return t[(n == 1) ? 0 : 1] || ((n == 1) ? s : p);
		return (n == 1) ? s : p;
	};
	window.L = null;
	LuCI.prototype.dom = DOM;
	LuCI.prototype.Poll = Poll;
	LuCI.prototype.Class = Class;
})(window, document);
