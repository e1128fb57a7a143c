/**
 * The HL7 v2 protocol core: parse, split, escape, encode, acknowledge, frame. Plain functions
 * over bytes and strings; the MLLP listener and the message store are adapters around it.
 */
export { ackForUnparseable, ackForUnparseableMessage, buildAck, buildAckMessage, MESSAGE_ERROR_CONDITIONS } from './ack.ts';
export type { AckCode, AckError, AckOptions, MessageErrorCondition } from './ack.ts';
export { buildField, buildSegment, components, encodeMessage, encodeMessageBytes, escape } from './encode.ts';
export type { FieldInput } from './encode.ts';
export { decodeEscapes } from './escapes.ts';
export { rejectionError } from './errors.ts';
export type { Hl7Rejection, Hl7RejectionCode } from './errors.ts';
export { DEFAULT_DELIMITERS, field, Field, Hl7Message, parsePath, readPath, Segment } from './message.ts';
export type { Delimiters, FieldValue, Hl7Path } from './message.ts';
export { DEFAULT_MAX_FRAME_BYTES, frameMessage, MllpDecoder } from './mllp.ts';
export type { MllpDecoderOptions, MllpDiscard } from './mllp.ts';
export { DEFAULT_MAX_LENGTH, parseMessage, parseMessageOrThrow, SUPPORTED_VERSIONS } from './parse.ts';
export type { ParseOptions, ParseResult } from './parse.ts';
export { splitMessages } from './split.ts';
export type { BatchEnvelope, SplitMessage, SplitResult } from './split.ts';
