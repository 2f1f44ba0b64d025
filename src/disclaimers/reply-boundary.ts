/**
 * Where the quoted or forwarded earlier messages begin in a decoded body, so the disclaimer
 * can stand under the newest reply and above them (issue 4, placement "reply"). Null means
 * there are none, and the caller puts the disclaimer at the bottom.
 */
export { textReplyBoundary } from './reply-boundary-text.js';
export { htmlReplyBoundary } from './reply-boundary-html.js';
