import { useDocumentTitle } from '../lib/use-document-title';
import { AppHeader } from '../ui/AppHeader';
import { ButtonLink } from '../ui/Button';
import { FullPageMessage } from '../ui/EmptyState';
import { SearchIcon } from '../ui/icons';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <>
      <AppHeader />
      <main className="page-main" id="main">
        <FullPageMessage
          icon={<SearchIcon />}
          title="Page not found"
          description="There is no page at this address. Check the link, or start again from the home page."
          actions={
            <ButtonLink to="/" variant="primary">
              Go to the home page
            </ButtonLink>
          }
        />
      </main>
    </>
  );
}
