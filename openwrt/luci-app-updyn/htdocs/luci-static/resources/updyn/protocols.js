'use strict';
'require baseclass';

// Everything protocol-specific the settings form shows, in one place, so that
// it can be generated from src/providers (one protocol list, issue 11). The
// views read only this data; they hold no protocol name of their own.
//
// Shape (keep it when generating this file):
//   protocols: [{
//     name:     'zerigo',            // the value of `option protocol`
//     title:    _('Zerigo'),         // shown in the protocol choice
//     uses: {                        // the common options this protocol reads:
//       username:   false | { title, help },   // false: not shown for it
//       password:   false | { title, help },   // always a secret field
//       update_url: false | { title, help },
//       auth:       false | { title, help, values: [{ value, title }] }
//     },
//     defaults: { update_url: '', auth: '' },  // what the daemon uses when unset (update_url null: none)
//     options: [{                    // options only this protocol reads
//       name, type: 'string'|'integer'|'boolean'|'list'|'select',
//       title, help, default, placeholder, values: [{ value, title }], secret
//     }],
//     presets: [{ name, update_url, success_pattern?, checkip_url?, checkip4_url?, checkip6_url? }]
//                                    // `option service_name`; [] when the protocol has none
//   }]
// Every title and help is a _() string, so build/i18n.mjs puts it in the .pot.

var AUTH_BASIC = { value: 'basic', title: _('in an HTTP header (basic)') },
    AUTH_QUERY = { value: 'query', title: _('in the URL (user= and password=)') },
    AUTH_NONE = { value: 'none', title: _('only where the URL says') };

return baseclass.extend({
	protocols: [
		{
			name: 'zerigo',
			title: _('Zerigo'),
			uses: {
				username: { title: _('Username'), help: _('Your Zerigo login, usually an e-mail address.') },
				password: { title: _('Update token'), help: _('The update key from your Zerigo account, not your password.') },
				update_url: { title: _('Update URL'), help: _('Leave empty for Zerigo\'s own address.') },
				auth: { title: _('Send the login'), help: _('How the login and token travel to Zerigo.'), values: [ AUTH_BASIC, AUTH_QUERY ] }
			},
			defaults: { update_url: 'http://update.zerigo.com/dynamic', auth: 'basic' },
			options: [],
			presets: []
		},
		{
			name: 'dyndns2',
			title: _('DynDNS-compatible (No-IP, deSEC, Dynu, …)'),
			uses: {
				username: { title: _('Username'), help: _('The login of your account at the provider.') },
				password: { title: _('Password or update token'), help: _('Many providers give a separate update password; use it rather than your account password.') },
				update_url: { title: _('Update URL'), help: _('Only for a provider not in the list above.') },
				auth: { title: _('Send the login'), help: _('How the login and password travel to the provider.'), values: [ AUTH_BASIC, AUTH_QUERY ] }
			},
			defaults: { update_url: '', auth: 'basic' },
			options: [],
			presets: [
				{ name: 'desec.io', update_url: 'https://update.dedyn.io/', checkip4_url: 'https://checkipv4.dedyn.io/', checkip6_url: 'https://checkipv6.dedyn.io/' },
				{ name: 'dnsomatic.com', update_url: 'https://updates.dnsomatic.com/nic/update', checkip4_url: 'http://myip.dnsomatic.com/' },
				{ name: 'dyn.com', update_url: 'https://members.dyndns.org/nic/update' },
				{ name: 'dynu.com', update_url: 'https://api.dynu.com/nic/update' },
				{ name: 'he.net', update_url: 'https://dyn.dns.he.net/nic/update' },
				{ name: 'no-ip.com', update_url: 'https://dynupdate.no-ip.com/nic/update', checkip4_url: 'http://ip1.dynupdate.no-ip.com/' }
			]
		},
		{
			name: 'custom',
			title: _('Other provider (update URL)'),
			uses: {
				username: { title: _('Username'), help: _('Put in the URL where [USERNAME] stands.') },
				password: { title: _('Password or token'), help: _('Put in the URL where [PASSWORD] stands; never shown in the log.') },
				update_url: { title: _('Update URL'), help: _('The provider\'s update address; [USERNAME], [PASSWORD], [DOMAIN] and [IP] are filled in.') },
				auth: { title: _('Send the login'), help: _('Usually only where the URL says; "in an HTTP header" adds it as basic authentication too.'), values: [ AUTH_NONE, AUTH_BASIC ] }
			},
			defaults: { update_url: '', auth: 'none' },
			options: [
				{ name: 'success_pattern', type: 'string', title: _('Success words'),
				  help: _('A regular expression the provider\'s answer must match to count as success; empty accepts any answer with HTTP 2xx.'),
				  default: '', placeholder: '^(OK|good|nochg)' }
			],
			presets: [
				{ name: 'duckdns.org', update_url: 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]', success_pattern: '^OK', checkip_url: '', checkip4_url: '', checkip6_url: '' },
				{ name: 'dynv6.com', update_url: 'https://dynv6.com/api/update?zone=[DOMAIN]&token=[PASSWORD]&ipv4=[IPV4]&ipv6=[IPV6]', success_pattern: '^addresses (updated|unchanged)', checkip_url: '', checkip4_url: '', checkip6_url: '' },
				{ name: 'freedns.afraid.org', update_url: 'https://sync.afraid.org/u/[PASSWORD]/?address=[IP]', success_pattern: '^Updated|^No IP change detected|has not changed', checkip_url: '', checkip4_url: '', checkip6_url: '' }
			]
		},
		{
			name: 'cloudflare',
			title: _('Cloudflare'),
			uses: {
				username: false,
				password: { title: _('API token'), help: _('A Cloudflare API token allowed to edit DNS of this zone (Zone → DNS → Edit).') },
				update_url: { title: _('API address'), help: _('Leave empty for Cloudflare\'s API.') },
				auth: false
			},
			defaults: { update_url: 'https://api.cloudflare.com/client/v4', auth: 'none' },
			options: [
				{ name: 'zone', type: 'string', title: _('Zone'), help: _('The domain as Cloudflare lists it, like example.com; empty: found from the host name.'), default: '', placeholder: 'example.com' },
				{ name: 'ttl', type: 'integer', title: _('TTL'), help: _('Seconds other resolvers may keep the address; 1 means automatic.'), default: 1, placeholder: '1' },
				{ name: 'proxied', type: 'boolean', title: _('Through Cloudflare\'s proxy'), help: _('For a record updyn creates: send visitors through Cloudflare instead of straight to the router.'), default: false }
			],
			presets: []
		},
		{
			name: 'nsupdate',
			title: _('Own DNS server (RFC 2136 with TSIG)'),
			uses: {
				username: { title: _('TSIG key name'), help: _('The name of the key the DNS server allows to update this zone.') },
				password: { title: _('TSIG secret'), help: _('The key\'s secret, base64 as in the server\'s key file.') },
				update_url: false,
				auth: false
			},
			defaults: { update_url: null, auth: 'none' },
			options: [
				{ name: 'dns_server', type: 'string', title: _('DNS server'), help: _('The primary server of the zone: IP address, IPv4:port or [IPv6]:port.'), default: '', placeholder: '192.0.2.53' },
				{ name: 'zone', type: 'string', title: _('Zone'), help: _('The zone that holds the host names, like example.com.'), default: '', placeholder: 'example.com' },
				{ name: 'tsig_algorithm', type: 'select', title: _('TSIG algorithm'), help: _('As in the server\'s key definition.'), default: 'hmac-sha256',
				  values: [ { value: 'hmac-sha256', title: 'hmac-sha256' }, { value: 'hmac-sha512', title: 'hmac-sha512' } ] },
				{ name: 'ttl', type: 'integer', title: _('TTL'), help: _('Seconds other resolvers may keep the address.'), default: 300, placeholder: '300' }
			],
			presets: []
		}
	],

	/** The protocol called `name`, or null. */
	get: function(name) {
		return this.protocols.filter(function(p) { return p.name == name })[0] || null;
	}
});
