/**
 * Wire-format constants shared by the frame codec and the message registry.
 * Each value carries the reason for it; change one only with a protocol version bump.
 */

/** Header = 1 type byte + u32 big-endian payload length: fixed size, so the cap is checked before any payload byte. */
export const FRAME_HEADER_BYTES = 5;

/** Largest payload a u32 length can express; the per-type caps below are always far smaller. */
export const MAX_U32 = 0xffff_ffff;

/** Cap on a JSON control message: the biggest (an OFFER listing many paths) fits, yet a hostile peer can pin at most 64 KiB per connection. */
export const MAX_CONTROL_BYTES = 64 * 1024;

/** File data per CHUNK frame: 4 MiB buffers keep TLS near its 1.2 GB/s loopback ceiling (DESIGN §8) while a window of a few chunks stays small in RAM. */
export const MAX_CHUNK_DATA_BYTES = 4 * 1024 * 1024;

/** Room for the binary CHUNK header (transfer token, file and chunk index, offset, SHA-256) in front of the data. */
export const MAX_CHUNK_HEADER_BYTES = 256;

/** Cap on a CHUNK frame payload: one chunk of data plus its header, nothing more can be buffered for one frame. */
export const MAX_CHUNK_FRAME_BYTES = MAX_CHUNK_DATA_BYTES + MAX_CHUNK_HEADER_BYTES;

/** Frame type byte reserved for binary CHUNK frames (bulk connection); its codec comes with the transfer family. */
export const FRAME_TYPE_CHUNK = 0x80;
