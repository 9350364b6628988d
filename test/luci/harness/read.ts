// Reading the rendered page from the test side. The project's TypeScript has
// no DOM types, so page code is passed as strings.
import type { Page } from 'playwright-core';

const q = (s: string) => JSON.stringify(s);

/** innerText of every cell of every row matching `rows`, trimmed */
export const cells = (page: Page, rows: string): Promise<string[][]> =>
  page.evaluate(`Array.from(document.querySelectorAll(${q(rows)}), tr => Array.from(tr.children, td => td.innerText.trim()))`) as Promise<string[][]>;

export const textOf = (page: Page, selector: string): Promise<string> =>
  page.evaluate(`(document.querySelector(${q(selector)}) || { innerText: '' }).innerText.trim()`) as Promise<string>;

/** computed background and text colour of the first match */
export const colours = (page: Page, selector: string): Promise<{ bg: string; fg: string }> =>
  page.evaluate(`(e => ({ bg: getComputedStyle(e).backgroundColor, fg: getComputedStyle(e).color }))(document.querySelector(${q(selector)}))`) as Promise<{ bg: string; fg: string }>;

export const count = (page: Page, selector: string): Promise<number> =>
  page.evaluate(`document.querySelectorAll(${q(selector)}).length`) as Promise<number>;

/** every element with an attribute value or a form value containing `needle`, as tag[type]#id */
export const holders = (page: Page, needle: string): Promise<string[]> =>
  page.evaluate(`Array.from(document.querySelectorAll('*')).filter(e =>
    Array.from(e.attributes).some(a => a.value.includes(${q(needle)})) || (typeof e.value === 'string' && e.value.includes(${q(needle)})))
    .map(e => e.tagName.toLowerCase() + (e.type ? '[' + e.type + ']' : '') + '#' + e.id)`) as Promise<string[]>;
