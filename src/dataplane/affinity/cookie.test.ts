import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cookieTime, cookieValue, sameSiteNoneCompatible } from './cookie.ts';

test('cookieValue finds one cookie without confusing prefixes or values', () => {
  assert.equal(cookieValue('INGRESSCOOKIE=abc|def', 'INGRESSCOOKIE'), 'abc|def');
  assert.equal(cookieValue('a=1; INGRESSCOOKIE=abc|def; b=2', 'INGRESSCOOKIE'), 'abc|def');
  assert.equal(cookieValue('a=1;INGRESSCOOKIE= x ;b=2', 'INGRESSCOOKIE'), 'x');
  assert.equal(cookieValue('a=1, INGRESSCOOKIE=joined', 'INGRESSCOOKIE'), 'joined');
  assert.equal(cookieValue('XINGRESSCOOKIE=no; INGRESSCOOKIEX=no', 'INGRESSCOOKIE'), null);
  assert.equal(cookieValue('a=INGRESSCOOKIE=no', 'INGRESSCOOKIE'), null);
  assert.equal(cookieValue('INGRESSCOOKIE', 'INGRESSCOOKIE'), null);
  assert.equal(cookieValue('INGRESSCOOKIE=first; INGRESSCOOKIE=second', 'INGRESSCOOKIE'), 'first');
  assert.equal(cookieValue('INGRESSCOOKIE=', 'INGRESSCOOKIE'), '');
});

test("cookieTime is nginx's ngx_http_cookie_time", () => {
  assert.equal(cookieTime(Date.UTC(2010, 10, 18, 11, 27, 35) / 1000), 'Thu, 18-Nov-10 11:27:35 GMT');
  assert.equal(cookieTime(Date.UTC(2006, 0, 2, 15, 4, 5) / 1000), 'Mon, 02-Jan-06 15:04:05 GMT');
  assert.equal(cookieTime(Date.UTC(2040, 1, 29, 0, 0, 0) / 1000), 'Wed, 29-Feb-2040 00:00:00 GMT');
});

test("sameSiteNoneCompatible follows ingress-nginx's util/same_site.lua", () => {
  assert.equal(sameSiteNoneCompatible(null), true);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'), true);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36'), false);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (Windows NT 10.0) Chrome/67.0 Safari/537.36'), false);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'), false);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'), false);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15'), false);
  // Chrome on macOS 10.14 is fine; so is iOS 13.
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0 Safari/537.36'), true);
  assert.equal(sameSiteNoneCompatible('Mozilla/5.0 (iPhone; CPU iPhone OS 13_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'), true);
});
