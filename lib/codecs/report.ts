/**
 * Reports (`type: 'data_record'`): the form's `fields`, the author's phone in `from`, the form id in
 * `form`, the author as a minified `contact`. Three shapes, chosen from the document itself:
 * XML reports (`content_type: 'xml'`, from app forms, with the XML instance attached as `content`),
 * SMS reports (an `sms_message`; no `contact` when the sender is unknown; unstructured messages
 * have no form), and other form reports (JSON submitted through the API).
 */
import * as t from 'io-ts';
import { Attachment, StoredFields, Timestamp } from './base.js';
import { dispatch, intersection, record } from './combinators.js';
import { DocId } from './ids.js';
import { ContactRef } from './lineage.js';

/** Who or what a report is about; allowed at the top level and inside `fields`. */
const SubjectKeys = t.partial({ patient_id: t.string, patient_uuid: t.string, place_id: t.string }, 'ReportSubject');

/** `fields`: anything the form captured; the subject keys, when present, are strings. */
export const ReportFields = intersection([t.UnknownRecord, SubjectKeys], 'ReportFields');
/** `fields` of a report. */
export type ReportFields = t.TypeOf<typeof ReportFields>;

const common = intersection([
  t.type({ _id: DocId, type: t.literal('data_record'), reported_date: Timestamp }),
  t.partial({ from: t.string, contact: ContactRef }),
  SubjectKeys,
  StoredFields,
], 'Report');

/** An XML (app form) report. The attachment is typed when present but not required: reports written through the API and CHT's own fixtures often lack it. */
export const XmlReport = intersection([
  common,
  t.type({ content_type: t.literal('xml'), form: t.string, fields: ReportFields }),
  t.partial({ _attachments: intersection([record(t.string, Attachment), t.partial({ content: Attachment })], 'Attachments') }),
], 'XmlReport');
/** An XML (app form) report. */
export type XmlReport = t.TypeOf<typeof XmlReport>;

/** The raw message of an SMS report: the text and, among other things, the sender and the form code. */
export const SmsMessage = intersection([
  t.type({ message: t.string }),
  t.partial({ from: t.string, form: t.union([t.string, t.null]), gateway_ref: t.string, locale: t.string }),
], 'SmsMessage');
/** The raw message of an SMS report. */
export type SmsMessage = t.TypeOf<typeof SmsMessage>;

/** An SMS report; `form` is absent or `null` for unstructured messages, `contact` absent for unknown senders. */
export const SmsReport = intersection([
  common,
  t.type({ sms_message: SmsMessage }),
  t.partial({ form: t.union([t.string, t.null]), fields: ReportFields }),
], 'SmsReport');
/** An SMS report. */
export type SmsReport = t.TypeOf<typeof SmsReport>;

/** A form report that is neither XML nor SMS (JSON through the API). */
export const FormReport = intersection([
  common,
  t.type({ form: t.string, fields: ReportFields }),
  t.partial({ content_type: t.string }),
], 'FormReport');
/** A form report that is neither XML nor SMS. */
export type FormReport = t.TypeOf<typeof FormReport>;

/** Any report: XML when `content_type` is `'xml'`, SMS when it has an `sms_message`, a form report otherwise. */
export const Report = dispatch('Report', (u) => (u['content_type'] === 'xml' ? XmlReport : u['sms_message'] !== undefined ? SmsReport : FormReport));
/** Any report. */
export type Report = t.TypeOf<typeof Report>;

/** Narrows a report to an XML report. */
export function isXmlReport(report: Report): report is XmlReport {
  return (report as { content_type?: unknown }).content_type === 'xml';
}

/** Narrows a report to an SMS report. */
export function isSmsReport(report: Report): report is SmsReport {
  return (report as { sms_message?: unknown }).sms_message !== undefined;
}

/** Who a report is about, each read at the top level first, then in `fields` (both places the spec allows). */
export interface ReportSubject {
  /** Patient shortcode (or a uuid, which the spec also allows there). */
  readonly patientId?: string;
  /** Patient `_id`. */
  readonly patientUuid?: string;
  /** Place id, for reports about places. */
  readonly placeId?: string;
}

/** Reads a report's subject from both places the spec allows. */
export function reportSubject(report: Report): ReportSubject {
  const fields: ReportFields = report.fields ?? {};
  const pick = (top: string | undefined, inner: string | undefined): string | undefined => top ?? inner;
  const patientId = pick(report.patient_id, fields.patient_id);
  const patientUuid = pick(report.patient_uuid, fields.patient_uuid);
  const placeId = pick(report.place_id, fields.place_id);
  return {
    ...(patientId === undefined ? {} : { patientId }),
    ...(patientUuid === undefined ? {} : { patientUuid }),
    ...(placeId === undefined ? {} : { placeId }),
  };
}
