/** The User Timing mark a media tile sets when its first video frame is shown; the bench reads it. */
export const FIRST_MEDIA_FRAME_MARK = 'streamcanvas:media-first-frame';
