import { pointExcalidrawAtSelfHostedAssets } from './asset-path';

pointExcalidrawAtSelfHostedAssets();
