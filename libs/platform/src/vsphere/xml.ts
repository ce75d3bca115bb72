import { DOMImplementation, DOMParser, XMLSerializer, type Element as XmlElement } from '@xmldom/xmldom';

// SOAP envelopes for vim25, built and read with a namespace-aware DOM (@xmldom/xmldom): vCenter and
// vcsim declare namespaces under unusual prefixes (`XMLSchema-instance:type`), so an attribute is
// known by its namespace URI, never by its prefix.

export const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  vim25: 'urn:vim25',
} as const;

/** A managed object reference, written as <name type="Type">value</name>. */
export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
}

/** A data object; `$type` becomes its xsi:type (needed where the schema's type is a base type). */
export interface SoapObject {
  $type?: string;
  [field: string]: SoapValue;
}

/** Arrays are repeated elements; undefined fields are left out. Field order is the schema's order. */
export type SoapValue = string | number | boolean | MoRef | SoapObject | SoapValue[] | undefined;

/** The envelope of one call: <method><_this type=..>..</_this>...args</method>. */
export function soapRequest(method: string, self: MoRef, args: SoapObject): string {
  const doc = new DOMImplementation().createDocument(NS.soapenv, 'soapenv:Envelope', null);
  const envelope = doc.documentElement!;
  envelope.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:xsi', NS.xsi);
  const body = doc.createElementNS(NS.soapenv, 'soapenv:Body');
  envelope.appendChild(body);
  const call = doc.createElementNS(NS.vim25, method);
  body.appendChild(call);
  append(call, '_this', self);
  for (const [name, value] of Object.entries(args)) if (name !== '$type') append(call, name, value);
  return '<?xml version="1.0" encoding="UTF-8"?>' + new XMLSerializer().serializeToString(doc);
}

function append(parent: XmlElement, name: string, value: SoapValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) append(parent, name, item);
    return;
  }
  const doc = parent.ownerDocument!;
  const el = doc.createElementNS(NS.vim25, name);
  parent.appendChild(el);
  if (value instanceof MoRef) {
    el.setAttribute('type', value.type);
    el.appendChild(doc.createTextNode(value.value));
  } else if (typeof value === 'object') {
    if (value.$type) el.setAttributeNS(NS.xsi, 'xsi:type', value.$type);
    for (const [field, v] of Object.entries(value)) if (field !== '$type') append(el, field, v);
  } else {
    el.appendChild(doc.createTextNode(String(value)));
  }
}

/** An element of a response: local name, xsi:type (local part), plain attributes, text and child elements. */
export interface XmlNode {
  name: string;
  xsiType: string | null;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** Parses a document; throws on XML that is not well-formed. */
export function parseXml(text: string): XmlNode {
  const errors: string[] = [];
  let root: XmlElement | null = null;
  try {
    const parser = new DOMParser({ onError: (level, message) => level !== 'warning' && errors.push(message) });
    root = parser.parseFromString(text, 'text/xml').documentElement;
  } catch (err) {
    errors.push((err as Error).message); // xmldom throws on fatal errors
  }
  if (errors.length || !root) throw new Error(`not well-formed XML: ${errors[0] ?? 'no root element'}`);
  return toNode(root);
}

function toNode(el: XmlElement): XmlNode {
  const attrs: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const attr = el.attributes.item(i)!;
    if (!attr.namespaceURI) attrs[attr.localName ?? attr.name] = attr.value;
  }
  const children: XmlNode[] = [];
  let text = '';
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE) children.push(toNode(child as XmlElement));
    else if (child.nodeType === child.TEXT_NODE || child.nodeType === child.CDATA_SECTION_NODE) text += child.nodeValue ?? '';
  }
  const xsiType = el.getAttributeNS(NS.xsi, 'type');
  return { name: el.localName ?? el.nodeName, xsiType: xsiType ? localPart(xsiType) : null, attrs, text, children };
}

/** "xsd:string" → "string" (a QName's prefix is the document's choice). */
function localPart(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}

/** Text of a child element (or of a path of them), undefined when absent. */
export function text(node: XmlNode | undefined, ...path: string[]): string | undefined {
  let at = node;
  for (const name of path) at = child(at, name);
  return at?.text;
}

/** A child element holding a managed object reference. */
export function moRef(node: XmlNode | undefined): MoRef | undefined {
  return node && node.attrs.type ? new MoRef(node.attrs.type, node.text) : undefined;
}
