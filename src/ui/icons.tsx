import type { SVGProps } from 'react';

/**
 * The app's icons, by what they mean here. They come from lucide-react (ISC licence): each
 * is a small React component bundled with the app, and only the ones imported ship, so
 * nothing is fetched and every icon inherits the text colour.
 */
export type { LucideProps as IconProps } from 'lucide-react';
export {
  ArrowLeft as ArrowLeftIcon,
  ArrowRight as ArrowRightIcon,
  BringToFront as BringToFrontIcon,
  Camera as CameraIcon,
  Check as CheckIcon,
  CircleAlert as AlertIcon,
  Clock as ClockIcon,
  CodeXml as CodeIcon,
  ExternalLink as ExternalLinkIcon,
  Eye as EyeIcon,
  Flag as FlagIcon,
  Focus as SpotlightIcon,
  Keyboard as KeyboardIcon,
  LayoutDashboard as LayoutIcon,
  Link as LinkIcon,
  Lock as LockIcon,
  LogOut as SignOutIcon,
  Maximize2 as FocusIcon,
  MessageSquare as ChatIcon,
  Mic as MicIcon,
  MicOff as MicOffIcon,
  Pause as PauseIcon,
  Play as PlayIcon,
  Plus as PlusIcon,
  ScreenShare as ScreenIcon,
  Radio as BroadcastIcon,
  Redo2 as RedoIcon,
  RotateCcw as ResetIcon,
  Search as SearchIcon,
  Send as SendIcon,
  Square as StopIcon,
  Trash2 as TrashIcon,
  PenTool as WhiteboardIcon,
  Presentation as SlidesIcon,
  Undo2 as UndoIcon,
  VolumeX as SpeakerOffIcon,
  WifiOff as WifiOffIcon,
  X as CloseIcon,
  ZoomIn as ZoomInIcon,
  ZoomOut as ZoomOutIcon,
} from 'lucide-react';

/** The StreamCanvas mark: a canvas frame with a live dot (the logo, not part of the icon set). */
export function BrandMark(props: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false" {...props}>
      <rect x="1" y="5" width="30" height="22" rx="6" fill="#0e1222" />
      <rect x="5" y="9" width="10" height="7" rx="2" fill="#6d66f0" />
      <rect x="17" y="9" width="10" height="14" rx="2" fill="#2b3352" />
      <rect x="5" y="18" width="10" height="5" rx="2" fill="#2b3352" />
      <circle cx="26" cy="6" r="4" fill="#e5484d" stroke="#fff" strokeWidth="2" />
    </svg>
  );
}
