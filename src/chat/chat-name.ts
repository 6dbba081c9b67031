import { CHAT_NAME_MAX_LENGTH } from '../protocol/realtime';

const STORAGE_KEY = 'streamcanvas:chat-name';

/** The name a viewer chats under, remembered on this device for the next session. */
export function loadChatName(): string {
  try {
    return (localStorage.getItem(STORAGE_KEY) ?? '').slice(0, CHAT_NAME_MAX_LENGTH);
  } catch {
    return ''; // storage can be blocked (private modes, strict settings)
  }
}

export function saveChatName(name: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, name);
  } catch {
    // Not remembered, but chatting still works.
  }
}
