import { describe, expect, it } from 'vitest';
import { isCrossSite } from './cross-site-guard.ts';

const byPublicUrl = { origin: 'https://portal.example.com' };
const byHost = { host: 'portal.example.com:3000' };

describe('isCrossSite', () => {
  it('lets requests without Origin or fetch metadata through (curl, scripts, the CLI helper)', () => {
    expect(isCrossSite({ origin: undefined, fetchSite: undefined }, byPublicUrl)).toBe(false);
    expect(isCrossSite({ origin: undefined, fetchSite: undefined }, byHost)).toBe(false);
  });

  it("accepts the portal's own origin: PUBLIC_URL's, or the request's host without one", () => {
    expect(isCrossSite({ origin: 'https://portal.example.com', fetchSite: 'same-origin' }, byPublicUrl)).toBe(false);
    expect(isCrossSite({ origin: 'HTTPS://Portal.Example.com:443', fetchSite: undefined }, byPublicUrl)).toBe(false);
    expect(isCrossSite({ origin: 'http://portal.example.com:3000', fetchSite: 'same-origin' }, byHost)).toBe(false);
    expect(isCrossSite({ origin: undefined, fetchSite: 'none' }, byHost)).toBe(false);
    expect(
      isCrossSite({ origin: 'http://Portal.Example.com', fetchSite: undefined }, { host: 'portal.example.com:80' }),
    ).toBe(false);
  });

  it('refuses a foreign Origin', () => {
    for (const origin of [
      'https://evil.example',
      'http://portal.example.com',
      'https://portal.example.com:8443',
      'https://sub.portal.example.com',
      'null',
      'not a url',
    ]) {
      expect(isCrossSite({ origin, fetchSite: undefined }, byPublicUrl), origin).toBe(true);
    }
    expect(isCrossSite({ origin: 'http://evil.example:3000', fetchSite: undefined }, byHost)).toBe(true);
    expect(isCrossSite({ origin: 'http://portal.example.com', fetchSite: undefined }, byHost)).toBe(true);
    expect(isCrossSite({ origin: 'http://portal.example.com', fetchSite: undefined }, { host: '' })).toBe(true);
    expect(isCrossSite({ origin: 'http://portal.example.com', fetchSite: undefined }, { host: 'a b' })).toBe(true);
  });

  it("accepts Origin null only from the portal's own form navigations (Sec-Fetch-Site same-origin)", () => {
    expect(isCrossSite({ origin: 'null', fetchSite: 'same-origin' }, byPublicUrl)).toBe(false);
    expect(isCrossSite({ origin: 'null', fetchSite: 'none' }, byPublicUrl)).toBe(true);
    expect(isCrossSite({ origin: 'null', fetchSite: 'cross-site' }, byHost)).toBe(true);
    expect(isCrossSite({ origin: 'null', fetchSite: undefined }, byHost)).toBe(true);
  });

  it('refuses a request the browser marks as coming from another site, whatever Origin says', () => {
    expect(isCrossSite({ origin: undefined, fetchSite: 'cross-site' }, byPublicUrl)).toBe(true);
    expect(isCrossSite({ origin: 'https://portal.example.com', fetchSite: 'cross-site' }, byPublicUrl)).toBe(true);
    expect(isCrossSite({ origin: undefined, fetchSite: 'same-site' }, byHost)).toBe(true);
  });
});
