/**
 * The attributes of a `<backprop-lab>` element → the lab's URL parameters, so an embed is configured exactly as a
 * link is (`depth="20" act="sigmoid,relu"` ≡ `?depth=20&act=sigmoid,relu`) and its bad values get the same notices.
 */
import { URL_KEYS } from '../../core/url-codec.js';

/** HTML's own attributes (and ARIA's, data-*): they style or label the element and are no lab setting. */
const HTML_ATTRIBUTE = /^(id|class|style|title|lang|dir|hidden|tabindex|slot|part|role|inert|translate|aria-.*|data-.*)$/;

/** The URL key of an attribute name (HTML lower-cases attribute names: `initseed` names `initSeed`), else the name. */
function urlKey(name: string): string {
  return URL_KEYS.find((k) => k.toLowerCase() === name) ?? name;
}

/**
 * URL parameters from an element's attributes, in their order. A bare `autoplay` means `autoplay="1"`. An attribute
 * that is neither HTML's nor a URL key is passed on, so the lab names it as an unknown setting instead of ignoring it.
 */
export function attributesToParams(attributes: Iterable<{ readonly name: string; readonly value: string }>): URLSearchParams {
  const params = new URLSearchParams();
  for (const { name, value } of attributes) {
    const lower = name.toLowerCase();
    if (HTML_ATTRIBUTE.test(lower)) continue;
    const key = urlKey(lower);
    params.append(key, key === 'autoplay' && value === '' ? '1' : value);
  }
  return params;
}
