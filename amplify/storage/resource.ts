import { defineStorage } from '@aws-amplify/backend';

/**
 * One S3 bucket for files that outgrow a DynamoDB item: uploaded slide decks, large whiteboard
 * elements, replay checkpoints. Browsers never get bucket credentials: the session API hands out
 * short-lived presigned URLs for keys it chose (`object-store.ts`), so no path-based access
 * rules for signed-in or guest users are defined here. backend.ts grants functions the bucket,
 * restricts CORS to the app's origins and keeps the bucket on branch deployments.
 */
export const storage = defineStorage({
  name: 'streamcanvasFiles',
  // Sandboxes always delete the bucket (Amplify ignores this there); branches keep their files.
  keepOnDelete: true,
});
