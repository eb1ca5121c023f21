import { mount } from 'svelte';
import App from './App.svelte';
import { setupI18n } from './lib/i18n/i18n.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

// The first screen is drawn in the user's language: wait for its catalogue (English is bundled).
void setupI18n().then(() => mount(App, { target }));
