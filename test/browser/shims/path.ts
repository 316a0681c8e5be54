// tape only uses path.sep (to shorten stack traces); browsers have no `path`.
export const sep = '/'
export default { sep }
