/** The TLS transport: mutual TLS 1.3 listener and dialer, pinned by device ID, yielding PeerSockets. */
export * from './tls-options.js';
export { PeerSocket, type PeerSocketEvents, type PeerSocketOptions } from './peer-socket.js';
export { dialTls, type DialTlsOptions } from './tls-dialer.js';
export {
  TlsListener,
  createTlsListener,
  type Authorize,
  type AuthorizeDecision,
  type AuthorizeRequest,
  type RejectReason,
  type RejectedConnection,
  type TlsListenerEvents,
  type TlsListenerOptions,
} from './tls-listener.js';
export { inspectNegotiated, peerCertificateDer, type Negotiated, type NegotiationFailure } from './negotiated.js';
